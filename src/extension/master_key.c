/*
 * master_key.c — the master key that seals signing keys.
 *
 * The postmaster runs bigpicture.master_key_command once, while loading
 * shared_preload_libraries, and keeps the 32 bytes it prints (as 64 hex
 * digits) in sodium_malloc memory: guarded, excluded from core dumps, and
 * read-only once written.  Backends inherit it through fork.  The key is
 * never visible to SQL, never logged, and the command's output is wiped
 * after parsing.  Without a key the server still starts; every function that
 * needs the key fails with 55000 and says why.
 */
#include "postgres.h"

#include <ctype.h>
#include <sodium.h>
#include <sys/wait.h>

#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/guc.h"

#include "bigpicture.h"

/* Longest command output we read: a hex key plus generous whitespace. */
#define MASTER_KEY_OUTPUT_MAX 512

typedef enum master_key_state
{
	MASTER_KEY_NOT_PRELOADED,	/* library loaded after postmaster start */
	MASTER_KEY_NO_COMMAND,		/* bigpicture.master_key_command is empty */
	MASTER_KEY_COMMAND_FAILED,	/* could not run, or exited non-zero */
	MASTER_KEY_BAD_OUTPUT,		/* output is not 64 hex digits */
	MASTER_KEY_NO_MEMORY,		/* sodium_malloc failed */
	MASTER_KEY_LOADED
} master_key_state;

static char *master_key_command = NULL;
static unsigned char *master_key = NULL;
static master_key_state master_key_status = MASTER_KEY_NOT_PRELOADED;

static const char *
master_key_problem(void)
{
	switch (master_key_status)
	{
		case MASTER_KEY_NOT_PRELOADED:
			return "The bigpicture library was not loaded through shared_preload_libraries.";
		case MASTER_KEY_NO_COMMAND:
			return "bigpicture.master_key_command is not set.";
		case MASTER_KEY_COMMAND_FAILED:
			return "bigpicture.master_key_command failed when the server started.";
		case MASTER_KEY_BAD_OUTPUT:
			return "bigpicture.master_key_command did not print 64 hexadecimal digits.";
		case MASTER_KEY_NO_MEMORY:
			return "Secure memory for the master key could not be allocated.";
		case MASTER_KEY_LOADED:
			break;
	}
	return "";
}

/* Parse exactly 64 hex digits surrounded by optional whitespace into out. */
static bool
parse_hex_key(const char *buf, size_t len, unsigned char *out)
{
	size_t		start = 0;
	size_t		end = len;
	size_t		bin_len = 0;

	while (start < end && isspace((unsigned char) buf[start]))
		start++;
	while (end > start && isspace((unsigned char) buf[end - 1]))
		end--;
	if (end - start != 2 * BP_MASTER_KEY_BYTES)
		return false;
	return sodium_hex2bin(out, BP_MASTER_KEY_BYTES, buf + start, end - start,
						  NULL, &bin_len, NULL) == 0 && bin_len == BP_MASTER_KEY_BYTES;
}

static void
load_master_key(void)
{
	char		output[MASTER_KEY_OUTPUT_MAX + 1];
	size_t		len = 0;
	size_t		n;
	FILE	   *pipe;
	int			rc;

	if (master_key_command == NULL || master_key_command[0] == '\0')
	{
		master_key_status = MASTER_KEY_NO_COMMAND;
		return;
	}

	pipe = OpenPipeStream(master_key_command, "r");
	if (pipe == NULL)
	{
		master_key_status = MASTER_KEY_COMMAND_FAILED;
		ereport(WARNING,
				(errmsg("could not run bigpicture.master_key_command: %m"),
				 errhint("Signing is unavailable until the command works and the server restarts.")));
		return;
	}
	while (len < sizeof(output) &&
		   (n = fread(output + len, 1, sizeof(output) - len, pipe)) > 0)
		len += n;
	rc = ClosePipeStream(pipe);

	master_key = sodium_malloc(BP_MASTER_KEY_BYTES);
	if (master_key == NULL)
		master_key_status = MASTER_KEY_NO_MEMORY;
	else if (rc != 0)
		master_key_status = MASTER_KEY_COMMAND_FAILED;
	else if (len > MASTER_KEY_OUTPUT_MAX || !parse_hex_key(output, len, master_key))
		master_key_status = MASTER_KEY_BAD_OUTPUT;
	else
		master_key_status = MASTER_KEY_LOADED;
	sodium_memzero(output, sizeof(output));

	if (master_key_status == MASTER_KEY_LOADED)
	{
		sodium_mprotect_readonly(master_key);
		ereport(LOG, (errmsg("bigpicture: master key loaded")));
		return;
	}
	if (master_key != NULL)
	{
		sodium_free(master_key);	/* wipes it */
		master_key = NULL;
	}
	/* Say what went wrong, never what the command printed. */
	if (master_key_status == MASTER_KEY_COMMAND_FAILED && rc > 0 && WIFEXITED(rc))
		ereport(WARNING,
				(errmsg("bigpicture: no master key; signing is unavailable"),
				 errdetail("bigpicture.master_key_command exited with status %d.",
						   WEXITSTATUS(rc))));
	else
		ereport(WARNING,
				(errmsg("bigpicture: no master key; signing is unavailable"),
				 errdetail("%s", master_key_problem())));
}

void
bp_master_key_init(void)
{
	DefineCustomStringVariable("bigpicture.master_key_command",
							   "Shell command that prints the master key as 64 hex digits.",
							   "Run once by the postmaster at start.  The key seals the "
							   "signing keys; plug Vault, a KMS or an HSM in here.",
							   &master_key_command,
							   "",
							   PGC_POSTMASTER,
							   GUC_SUPERUSER_ONLY,
							   NULL, NULL, NULL);

	if (process_shared_preload_libraries_in_progress)
		load_master_key();
}

/* The master key, or an error saying why there is none. */
const unsigned char *
bp_master_key(void)
{
	if (master_key_status != MASTER_KEY_LOADED)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the bigpicture master key is not available"),
				 errdetail("%s", master_key_problem()),
				 errhint("Add bigpicture to shared_preload_libraries, set "
						 "bigpicture.master_key_command to a command that prints the key, "
						 "and restart the server.")));
	return master_key;
}
