/*
 * log.c — see log.h.  Each line is built in memory and written with one
 * fwrite so that lines from different threads never interleave.
 */
#include "log.h"

#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static volatile gw_log_level current_level = GW_LOG_ERROR;
static const char *const level_names[] = {"crit", "error", "warn", "info", "debug"};

void
gw_log_set_level(gw_log_level level)
{
	current_level = level;
}

gw_log_level
gw_log_get_level(void)
{
	return current_level;
}

static void
put_time(gw_buf *b)
{
	struct timespec ts;
	struct tm	tm;
	char		s[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	gw_buf_printf(b, "{\"time\":\"%s.%03ldZ\"", s, ts.tv_nsec / 1000000L);
}

static void
emit(gw_buf *b)
{
	gw_buf_puts(b, "}\n");
	fwrite(b->data, 1, b->len, stderr);
	fflush(stderr);
	gw_buf_free(b);
}

void
gw_log(gw_log_level level, const char *fmt,...)
{
	gw_buf		b = GW_BUF_INIT;
	gw_buf		msg = GW_BUF_INIT;
	va_list		ap;
	char		tmp[1024];

	if (level > current_level)
		return;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	put_time(&b);
	gw_buf_printf(&b, ",\"level\":\"%s\",\"message\":", level_names[level]);
	gw_buf_json_cstr(&b, tmp);
	gw_buf_free(&msg);
	emit(&b);
}

void
gw_log_access(const char *method, const char *path, int status, double duration_ms, const char *role)
{
	gw_buf		b = GW_BUF_INIT;

	if (current_level <= GW_LOG_CRIT ||
		(current_level == GW_LOG_ERROR && status < 500 && status != 0) ||
		(current_level == GW_LOG_WARN && status < 400 && status != 0))
		return;
	put_time(&b);
	gw_buf_puts(&b, ",\"method\":");
	gw_buf_json_cstr(&b, method);
	gw_buf_puts(&b, ",\"path\":");
	gw_buf_json_cstr(&b, path);
	if (status)
		gw_buf_printf(&b, ",\"status\":%d", status);
	else
		gw_buf_puts(&b, ",\"status\":null");
	gw_buf_printf(&b, ",\"duration_ms\":%.3f,\"role\":", duration_ms);
	gw_buf_json_cstr(&b, role);
	emit(&b);
}
