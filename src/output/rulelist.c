/* rulelist.c: --list-rules, printed from the rule table (rules.h). */
#include <string.h>

#include "rulelist.h"
#include "rules.h"

/* Columns: RULE, SEVERITY, CLOUDFLARE, SOURCE (one source a line: they
 * are separated by "; " in the table), FIRES WHEN (wrapped at spaces). */
#define W_ID    26
#define W_SEV   10
#define W_CF    12
#define W_SRC   22
#define W_ALL   100
#define W_TEXT  (W_ALL - W_ID - W_SEV - W_CF - W_SRC)

/* Where the sources named in the table are, for a reader to look up. */
static const char *const legend[] = {
	"RFC 9110        HTTP Semantics: 15.2 the 1xx class, 15.2.2 101, "
	    "10.1.1 Expect, 7.8 Upgrade",
	"                https://www.rfc-editor.org/rfc/rfc9110",
	"RFC 8297        An HTTP Status Code for Indicating Hints "
	    "(103 Early Hints)",
	"RFC 2518        HTTP Extensions for Distributed Authoring (WebDAV): "
	    "10.1 102 Processing",
	"Cloudflare 1xx  Cloudflare Docs, \"1xx Informational\" (the "
	    "project's reference):",
	"  https://developers.cloudflare.com/support/troubleshooting/"
	    "http-status-codes/1xx-informational/",
	"Cloudflare error 522, 524  Cloudflare Docs, \"Error 522\" and "
	    "\"Error 524\" (5xx errors)",
	NULL
};

/* The next piece of *s that fits in width: through the last space that
 * fits (or all of it, or width bytes of a longer word); *s moves past it.
 * For sources, "; " ends a piece too. */
static const char *
take(const char **s, size_t width, int at_semicolons, size_t *len)
{
	const char *p = *s, *semi = at_semicolons ? strstr(p, "; ") : NULL;
	size_t n = strlen(p), cut;

	if (semi != NULL && (size_t)(semi - p) <= width) {
		*len = (size_t)(semi - p);
		*s = semi + 2;
		return p;
	}
	if (n <= width) {
		*len = n;
		*s = p + n;
		return p;
	}
	for (cut = width; cut > 0 && p[cut] != ' '; cut--)
		;
	if (cut == 0)
		cut = width;
	*len = cut;
	*s = p + cut + (p[cut] == ' ');
	return p;
}

/* One rule, on as many lines as its source and meaning need. */
static void
row(FILE *out, const char *id, const char *sev, const char *cf,
    const char *src, const char *text)
{
	char line[W_ALL + 2];

	for (int first = 1; first || *src != '\0' || *text != '\0';
	    first = 0) {
		size_t ns, nt, n;
		const char *ps = take(&src, W_SRC - 2, 1, &ns);
		const char *pt = take(&text, W_TEXT, 0, &nt);

		snprintf(line, sizeof(line), "%-*s%-*s%-*s%-*.*s%.*s", W_ID,
		    first ? id : "", W_SEV, first ? sev : "", W_CF,
		    first ? cf : "", W_SRC, (int)ns, ps, (int)nt, pt);
		for (n = strlen(line); n > 0 && line[n - 1] == ' '; n--)
			;
		fprintf(out, "%.*s\n", (int)n, line);
	}
}

void
rulelist_text(FILE *out)
{
	fprintf(out, "%-*s%-*s%-*s%-*sFIRES WHEN\n", W_ID, "RULE", W_SEV,
	    "SEVERITY", W_CF, "CLOUDFLARE", W_SRC, "SOURCE");
	for (int r = 0; r < RULE_COUNT; r++)
		row(out, rules[r].id, severity_name(rules[r].severity),
		    rules[r].cloudflare != NULL ? rules[r].cloudflare : "-",
		    rules[r].source, rules[r].meaning);
	fputs("\nSources:\n", out);
	for (const char *const *l = legend; *l != NULL; l++)
		fprintf(out, "  %s\n", *l);
}

/* The table's strings are ours, but escape them all the same. */
static void
json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, out);
	}
	fputc('"', out);
}

void
rulelist_json(FILE *out)
{
	for (int r = 0; r < RULE_COUNT; r++) {
		fputs("{\"id\":", out);
		json_string(out, rules[r].id);
		fputs(",\"severity\":", out);
		json_string(out, severity_name(rules[r].severity));
		/* a number, as in the violation events */
		fprintf(out, ",\"cloudflare\":%s,\"source\":",
		    rules[r].cloudflare != NULL ? rules[r].cloudflare : "null");
		json_string(out, rules[r].source);
		fputs(",\"meaning\":", out);
		json_string(out, rules[r].meaning);
		fputs("}\n", out);
	}
}
