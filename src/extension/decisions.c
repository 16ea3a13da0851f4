/*
 * decisions.c — update decisions over SQL (src/sql/65_decisions.sql):
 * check_update, the request check, and the SQL faces of the decision engine
 * (evaluate.c): _evaluate and effective_policy.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "bigpicture.h"
#include "evaluate.h"

bool		bp_log_decisions = false;

void
bp_decisions_init(void)
{
	DefineCustomBoolVariable("bigpicture.log_decisions",
							 "Record every update decision in bigpicture.decision_log.",
							 "Off by default; decisions on a read-only transaction or a hot "
							 "standby are never logged.",
							 &bp_log_decisions, false, PGC_SUSET, 0, NULL, NULL, NULL);
}

/* ---- the request ------------------------------------------------------------------- */

#define MAX_PRODUCTS 50

typedef struct request_product
{
	char	   *product_id;
	char	   *current_version;	/* NULL: not given */
	char	   *channel;
} request_product;

typedef struct bp_request
{
	Jsonb	   *json;
	char	   *install_id;
	char	   *tenant_id;
	char	   *nonce;
	char	   *platform;
	char	   *arch;
	Jsonb	   *caps;			/* NULL: absent or null */
	int			n_products;
	request_product products[MAX_PRODUCTS];
} bp_request;

/* JSON text of a value, as jsonb prints it. */
static char *
json_value_text(JsonbValue *v)
{
	Jsonb	   *j = JsonbValueToJsonb(v);

	return JsonbToCString(NULL, &j->root, VARSIZE(j));
}

/* 22023 naming the field and what it got (JSON text; NULL: nothing), and where the format is. */
static void
bad_request_text(const char *field, const char *problem, const char *got)
{
	char	   *detail;

	if (got == NULL)
		detail = psprintf("The request has no %s.", field);
	else
		detail = psprintf("It is %.*s.", pg_mbcharcliplen(got, strlen(got), 100), got);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid request: \"%s\" %s", field, problem),
			 errdetail_internal("%s", detail),
			 errhint("See docs/decisions.md for the request format.")));
}

static void
bad_request(const char *field, const char *problem, JsonbValue *got)
{
	bad_request_text(field, problem, got ? json_value_text(got) : NULL);
}

static bool
find_key(JsonbContainer *obj, const char *key, JsonbValue *out)
{
	return getKeyJsonValueFromContainer(obj, key, strlen(key), out) != NULL;
}

static bool
is_string(const JsonbValue *v)
{
	return v->type == jbvString;
}

static bool
string_is(const JsonbValue *v, const char *s)
{
	return v->type == jbvString && v->val.string.len == (int) strlen(s) &&
		memcmp(v->val.string.val, s, v->val.string.len) == 0;
}

static bool
string_in(const JsonbValue *v, const char *const *set)
{
	for (; *set; set++)
		if (string_is(v, *set))
			return true;
	return false;
}

static int
string_chars(const JsonbValue *v)
{
	return pg_mbstrlen_with_len(v->val.string.val, v->val.string.len);
}

static char *
string_dup(const JsonbValue *v)
{
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static bool
is_container(const JsonbValue *v, bool object)
{
	return v->type == jbvBinary &&
		(object ? JsonContainerIsObject(v->val.binary.data) : JsonContainerIsArray(v->val.binary.data));
}

/* Refuse keys of an object outside the allowed set. */
static void
check_keys(JsonbContainer *obj, const char *const *allowed, const char *prefix, const char *problem)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY && !string_in(&v, allowed))
		{
			char	   *key = string_dup(&v);
			JsonbValue	val;

			(void) JsonbIteratorNext(&it, &val, true);
			bad_request(psprintf("%s%s", prefix, key), problem, &val);
		}
	}
}

static bool
is_channel_name(const JsonbValue *v)
{
	int			len = v->val.string.len;
	const char *s = v->val.string.val;

	if (len < 1 || len > 32)
		return false;
	for (int i = 0; i < len; i++)
	{
		char		c = s[i];
		bool		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));

		if (!ok)
			return false;
	}
	return true;
}

static void run_insert(SPIPlanPtr plan, Datum *values, const char *nulls, const char *what);

/* Remember that a rollout reached this install; it then keeps its offer if the rollout halts. */
static void
record_rollout_member(const char *tenant_id, const char *install_id, const char *release_id)
{
	static SPIPlanPtr plan;
	Oid			types[3] = {TEXTOID, TEXTOID, TEXTOID};
	Datum		values[3];

	values[0] = CStringGetTextDatum(release_id);
	values[1] = CStringGetTextDatum(tenant_id);
	values[2] = CStringGetTextDatum(install_id);
	run_insert(bp_prepare_once(&plan,
							   "INSERT INTO bigpicture.rollout_members (release_id, tenant_id, install_id) "
							   "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", 3, types),
			   values, NULL, "record the rollout's new install");
}

/*
 * Check a request's shape; every problem is a
 * 22023 naming the field.  The checks and their order are what the tests pin.
 */
static void
check_request(Jsonb *json, bp_request *req)
{
	static const char *const request_fields[] = {"install_id", "tenant_id", "nonce", "platform", "arch",
	"capabilities", "products", NULL};
	static const char *const capability_fields[] = {"can_elevate", "install_scope", "vdi", "installer_types", NULL};
	static const char *const product_fields[] = {"product_id", "current_version", "channel", NULL};
	static const char *const platforms[] = {"windows", "macos", "linux", NULL};
	static const char *const arches[] = {"x86_64", "x86", "arm64", NULL};
	static const char *const scopes[] = {"user", "machine", NULL};
	static const char *const ids[] = {"install_id", "tenant_id", "nonce"};
	JsonbContainer *root;
	JsonbValue	v;
	JsonbValue	caps;
	bool		have_caps;

	memset(req, 0, sizeof(*req));
	req->json = json;
	if (json == NULL)
		bad_request("request", "must be a JSON object", NULL);
	if (!JB_ROOT_IS_OBJECT(json))
		bad_request_text("request", "must be a JSON object", JsonbToCString(NULL, &json->root, VARSIZE(json)));
	root = &json->root;
	check_keys(root, request_fields, "", "is not a request field");
	for (int i = 0; i < (int) lengthof(ids); i++)
	{
		if (!find_key(root, ids[i], &v) || v.type == jbvNull)
			continue;
		if (!is_string(&v) || string_chars(&v) < 1 || string_chars(&v) > 128)
			bad_request(ids[i], "must be a string of 1 to 128 characters", &v);
		*(i == 0 ? &req->install_id : i == 1 ? &req->tenant_id : &req->nonce) = string_dup(&v);
	}
	if (!find_key(root, "platform", &v))
		bad_request("platform", "must be one of windows, macos, linux", NULL);
	if (!string_in(&v, platforms))
		bad_request("platform", "must be one of windows, macos, linux", &v);
	req->platform = string_dup(&v);
	if (!find_key(root, "arch", &v))
		bad_request("arch", "must be one of x86_64, x86, arm64", NULL);
	if (!string_in(&v, arches))
		bad_request("arch", "must be one of x86_64, x86, arm64", &v);
	req->arch = string_dup(&v);

	have_caps = find_key(root, "capabilities", &caps) && caps.type != jbvNull;
	if (have_caps)
	{
		JsonbContainer *c;

		if (!is_container(&caps, true))
			bad_request("capabilities", "must be an object", &caps);
		c = caps.val.binary.data;
		check_keys(c, capability_fields, "capabilities.", "is not a capability");
		if (find_key(c, "can_elevate", &v) && v.type != jbvBool)
			bad_request("capabilities.can_elevate", "must be true or false", &v);
		if (find_key(c, "vdi", &v) && v.type != jbvBool)
			bad_request("capabilities.vdi", "must be true or false", &v);
		if (find_key(c, "install_scope", &v) && !string_in(&v, scopes))
			bad_request("capabilities.install_scope", "must be user or machine", &v);
		if (find_key(c, "installer_types", &v))
		{
			bool		ok = is_container(&v, false);

			if (ok)
			{
				JsonbIterator *it = JsonbIteratorInit(v.val.binary.data);
				JsonbValue	e;
				JsonbIteratorToken tok;

				while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
					if (tok == WJB_ELEM && e.type != jbvString)
						ok = false;
			}
			if (!ok)
				bad_request("capabilities.installer_types", "must be an array of installer types", &v);
		}
		req->caps = JsonbValueToJsonb(&caps);
	}

	if (!find_key(root, "products", &v))
		bad_request("products", "must be an array of 1 to 50 products", NULL);
	if (!is_container(&v, false) || JsonContainerSize(v.val.binary.data) < 1 ||
		JsonContainerSize(v.val.binary.data) > MAX_PRODUCTS)
		bad_request("products", "must be an array of 1 to 50 products", &v);
	{
		JsonbIterator *it = JsonbIteratorInit(v.val.binary.data);
		JsonbValue	item;
		JsonbIteratorToken tok;
		int			i = 0;

		while ((tok = JsonbIteratorNext(&it, &item, true)) != WJB_DONE)
		{
			request_product *p;
			JsonbContainer *obj;
			JsonbValue	f;

			if (tok != WJB_ELEM)
				continue;
			p = &req->products[i];
			if (!is_container(&item, true))
				bad_request(psprintf("products[%d]", i), "must be an object", &item);
			obj = item.val.binary.data;
			check_keys(obj, product_fields, psprintf("products[%d].", i), "is not a product field");
			if (!find_key(obj, "product_id", &f))
				bad_request(psprintf("products[%d].product_id", i), "must be a string of 1 to 128 characters", NULL);
			if (!is_string(&f) || string_chars(&f) < 1 || string_chars(&f) > 128)
				bad_request(psprintf("products[%d].product_id", i), "must be a string of 1 to 128 characters", &f);
			p->product_id = string_dup(&f);
			for (int j = 0; j < i; j++)
				if (strcmp(req->products[j].product_id, p->product_id) == 0)
					bad_request(psprintf("products[%d].product_id", i), "repeats an earlier product", &f);
			if (find_key(obj, "current_version", &f) && f.type != jbvNull)
			{
				bp_semver	parsed;

				if (!is_string(&f))
					bad_request(psprintf("products[%d].current_version", i), "must be a SemVer string", &f);
				if (bp_semver_parse(f.val.string.val, f.val.string.len, &parsed) != BP_SEMVER_OK)
					bad_request(psprintf("products[%d].current_version", i), "is not a SemVer 2.0.0 version", &f);
				p->current_version = string_dup(&f);
			}
			if (find_key(obj, "channel", &f) && f.type != jbvNull)
			{
				if (!is_string(&f) || !is_channel_name(&f))
					bad_request(psprintf("products[%d].channel", i), "must be a channel name", &f);
				p->channel = string_dup(&f);
			}
			i++;
		}
		req->n_products = i;
	}
}

/* _check_request(request jsonb): the request with capabilities filled in ({} when absent). */
PG_FUNCTION_INFO_V1(bigpicture_check_request);
Datum
bigpicture_check_request(PG_FUNCTION_ARGS)
{
	Jsonb	   *json = PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0);
	bp_request	req;
	ArrayType  *path;
	Datum		key = CStringGetTextDatum("capabilities");

	check_request(json, &req);
	if (req.caps != NULL)
		PG_RETURN_JSONB_P(json);
	path = construct_array(&key, 1, TEXTOID, -1, false, TYPALIGN_INT);
	return DirectFunctionCall4(jsonb_set, JsonbPGetDatum(json), PointerGetDatum(path),
							   DirectFunctionCall1(jsonb_in, CStringGetDatum("{}")), BoolGetDatum(true));
}

/* ---- SQL faces of the engine ---------------------------------------------------------- */

static char *
arg_text(FunctionCallInfo fcinfo, int n)
{
	return PG_ARGISNULL(n) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

static Datum
finish_jsonb(StringInfo out)
{
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(out->data));
}

/*
 * effective_policy(tenant_id, product_id, platform, requested_channel):
 * {"policy": {...}, "sources": {...}}.  Runs with the caller's rights, so a
 * tenant admin sees only its own tenant's rows.
 */
PG_FUNCTION_INFO_V1(bigpicture_effective_policy);
Datum
bigpicture_effective_policy(PG_FUNCTION_ARGS)
{
	StringInfoData out;
	bp_policy	pol;

	initStringInfo(&out);
	SPI_connect();
	bp_effective_policy(arg_text(fcinfo, 0), arg_text(fcinfo, 1), arg_text(fcinfo, 2), arg_text(fcinfo, 3), &pol);
	appendStringInfoString(&out, "{\"policy\":");
	bp_policy_append_json(&out, &pol, false);
	appendStringInfoString(&out, ",\"sources\":");
	bp_policy_append_json(&out, &pol, true);
	appendStringInfoChar(&out, '}');
	SPI_finish();
	return finish_jsonb(&out);
}

/*
 * _evaluate(t tenants, install_id, platform, arch, caps, product_id,
 * current_version, requested_channel, with_trace): one product's decision,
 * unsigned; explain_decision and tenant_update_decisions show it.
 */
PG_FUNCTION_INFO_V1(bigpicture_evaluate);
Datum
bigpicture_evaluate(PG_FUNCTION_ARGS)
{
	HeapTupleHeader t;
	bool		isnull;
	Datum		status;
	Datum		tenant_id;
	bp_eval_input in = {0};
	bp_caps		caps;
	bp_decision d;
	StringInfoData out;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(5))
		elog(ERROR, "_evaluate: tenant, platform, arch and product are required");
	t = PG_GETARG_HEAPTUPLEHEADER(0);
	tenant_id = GetAttributeByName(t, "tenant_id", &isnull);
	if (isnull)
		elog(ERROR, "_evaluate: the tenant has no id");
	status = GetAttributeByName(t, "status", &isnull);
	in.tenant_id = TextDatumGetCString(tenant_id);
	in.tenant_active = !isnull && strcmp(TextDatumGetCString(status), "active") == 0;
	in.install_id = arg_text(fcinfo, 1);
	in.platform = arg_text(fcinfo, 2);
	in.arch = arg_text(fcinfo, 3);
	in.product_id = arg_text(fcinfo, 5);
	if (!PG_ARGISNULL(6))
	{
		bp_semver	v = bp_semver_from_datum(PG_GETARG_DATUM(6));

		in.current_version = bp_semver_text(&v);
	}
	in.requested_channel = arg_text(fcinfo, 7);
	in.with_trace = !PG_ARGISNULL(8) && PG_GETARG_BOOL(8);
	bp_caps_from_jsonb(PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4), &caps);
	in.caps = &caps;

	initStringInfo(&out);
	SPI_connect();
	bp_evaluate(&in, &d);
	bp_decision_append_json(&out, &d, in.with_trace);
	SPI_finish();
	return finish_jsonb(&out);
}

/* ---- check_update --------------------------------------------------------------------- */

static SPIPlanPtr log_plan;
static SPIPlanPtr install_plan;

/* ,"key":"value" (or null): a member after the first. */
static void
append_member(StringInfo out, const char *key, const char *value)
{
	appendStringInfoChar(out, ',');
	escape_json(out, key);
	appendStringInfoChar(out, ':');
	if (value)
		escape_json(out, value);
	else
		appendStringInfoString(out, "null");
}

static void
run_insert(SPIPlanPtr plan, Datum *values, const char *nulls, const char *what)
{
	int			rc = SPI_execute_plan(plan, values, nulls, false, 0);

	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not %s: %s", what, SPI_result_code_string(rc));
}

static void
log_decision(const bp_request *req, const char *tenant_id, const request_product *p, const bp_decision *d)
{
	Oid			types[9] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTARRAYOID, TEXTOID};
	Datum		values[9];
	char		nulls[9];
	const char *texts[9] = {tenant_id, req->install_id, p->product_id, p->current_version, d->channel,
	bp_action_name(d->action), d->version, NULL, req->nonce};
	Datum	   *reasons = palloc(sizeof(Datum) * (d->reasons.n + 1));

	for (int i = 0; i < 9; i++)
	{
		nulls[i] = texts[i] ? ' ' : 'n';
		values[i] = texts[i] ? CStringGetTextDatum(texts[i]) : (Datum) 0;
	}
	for (int i = 0; i < d->reasons.n; i++)
		reasons[i] = CStringGetTextDatum(bp_reason_name(d->reasons.r[i]));
	values[7] = PointerGetDatum(construct_array(reasons, d->reasons.n, TEXTOID, -1, false, TYPALIGN_INT));
	nulls[7] = ' ';
	run_insert(bp_prepare_once(&log_plan,
							   "INSERT INTO bigpicture.decision_log (tenant_id, install_id, product_id, "
							   "current_version, channel, action, version, reasons, nonce, actor) "
							   "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, bigpicture.current_actor())",
							   9, types),
			   values, nulls, "log the decision");
}

/*
 * check_update(request jsonb): one signed decision per product
 * (docs/decisions.md), and the install remembered unless the transaction is
 * read-only (a standby answers too).
 */
PG_FUNCTION_INFO_V1(bigpicture_check_update);
Datum
bigpicture_check_update(PG_FUNCTION_ARGS)
{
	bp_request	req;
	bp_caps		caps;
	Datum		values[5];
	char	   *tenant_id;
	char	   *status;
	int32		decision_ttl;
	int32		retry_after;
	bool		isnull;
	bool		read_only = XactReadOnly;
	bp_envelope envelope = {"decision", true, 0, false, 0};
	StringInfoData out;
	StringInfoData seen;
	StringInfoData payload;

	check_request(PG_ARGISNULL(0) ? NULL : PG_GETARG_JSONB_P(0), &req);
	req.install_id = bp_bound_install_id(req.install_id);
	bp_caps_from_jsonb(req.caps, &caps);

	initStringInfo(&out);
	SPI_connect();
	{
		HeapTupleHeader t = DatumGetHeapTupleHeader(bp_request_tenant(req.tenant_id));

		tenant_id = TextDatumGetCString(GetAttributeByName(t, "tenant_id", &isnull));
		status = TextDatumGetCString(GetAttributeByName(t, "status", &isnull));
		decision_ttl = DatumGetInt32(GetAttributeByName(t, "decision_ttl", &isnull));
		retry_after = DatumGetInt32(GetAttributeByName(t, "retry_after", &isnull));
	}

	envelope.exp = GetCurrentTransactionStartTimestamp() + (TimestampTz) decision_ttl * USECS_PER_SEC;
	initStringInfo(&seen);
	initStringInfo(&payload);
	appendStringInfoString(&out, "{\"decisions\":[");
	for (int i = 0; i < req.n_products; i++)
	{
		request_product *p = &req.products[i];
		bp_eval_input in = {0};
		bp_decision d;
		text	   *token;

		in.tenant_id = tenant_id;
		in.tenant_active = strcmp(status, "active") == 0;
		in.install_id = req.install_id;
		in.platform = req.platform;
		in.arch = req.arch;
		in.caps = &caps;
		in.product_id = p->product_id;
		in.current_version = p->current_version;
		in.requested_channel = p->channel;
		bp_evaluate(&in, &d);

		/* 9. Sign what the client may act on. */
		resetStringInfo(&payload);
		appendStringInfoString(&payload, "\"nonce\":");
		if (req.nonce)
			escape_json(&payload, req.nonce);
		else
			appendStringInfoString(&payload, "null");
		append_member(&payload, "tenant_id", tenant_id);
		append_member(&payload, "install_id", req.install_id);
		append_member(&payload, "product_id", p->product_id);
		append_member(&payload, "current_version", p->current_version);
		append_member(&payload, "platform", req.platform);
		append_member(&payload, "arch", req.arch);
		bp_decision_append_claims(&payload, &d, false);
		token = bp_sign(&envelope, tenant_id, NULL, payload.data);

		if (i > 0)
			appendStringInfoChar(&out, ',');
		appendStringInfoString(&out, "{\"product_id\":");
		escape_json(&out, p->product_id);
		append_member(&out, "action", bp_action_name(d.action));
		append_member(&out, "version", d.version);
		append_member(&out, "token", text_to_cstring(token));
		appendStringInfoChar(&out, '}');

		/* The versions the install runs, of the products it may see. */
		if (d.visible && p->current_version)
		{
			appendStringInfoString(&seen, seen.len == 0 ? "{" : ",");
			escape_json(&seen, p->product_id);
			appendStringInfoChar(&seen, ':');
			escape_json(&seen, p->current_version);
		}
		if (bp_log_decisions && !read_only)
			log_decision(&req, tenant_id, p, &d);
		/* The first offer of a release under a rollout makes the install a member (docs/rollouts.md). */
		if (d.have_target && d.enters_rollout && req.install_id != NULL && !read_only &&
			d.action != BP_ACTION_NONE && bp_schema_has_rollout_members())
			record_rollout_member(tenant_id, req.install_id, d.release_id);
	}
	/*
	 * A read-only transaction (a hot standby, or PostgREST's for a STABLE
	 * entry point) can sign but not write: say so rather than drop the
	 * install's sighting and the decision log silently.
	 */
	appendStringInfo(&out, "],\"retry_after\":%d,\"recorded\":%s}", retry_after, read_only ? "false" : "true");

	/* Remember the install; skipped (not failed) on a read-only transaction or a standby. */
	if (req.install_id != NULL && !read_only && strcmp(status, "active") == 0)
	{
		Oid			types[5] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID};

		appendStringInfoString(&seen, seen.len == 0 ? "{}" : "}");
		values[0] = CStringGetTextDatum(tenant_id);
		values[1] = CStringGetTextDatum(req.install_id);
		values[2] = CStringGetTextDatum(req.platform);
		values[3] = CStringGetTextDatum(req.arch);
		values[4] = DirectFunctionCall1(jsonb_in, CStringGetDatum(seen.data));
		run_insert(bp_prepare_once(&install_plan,
								   "INSERT INTO bigpicture.installs AS i (tenant_id, install_id, platform, arch, versions) "
								   "VALUES ($1, $2, $3, $4, $5) "
								   "ON CONFLICT (tenant_id, install_id) DO UPDATE "
								   "SET platform = EXCLUDED.platform, arch = EXCLUDED.arch, "
								   "versions = i.versions || EXCLUDED.versions, last_seen = EXCLUDED.last_seen",
								   5, types),
				   values, NULL, "record the install");
	}
	SPI_finish();
	return finish_jsonb(&out);
}
