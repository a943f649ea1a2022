/* json.c: JSON lines, one object per event, in the spirit of Suricata's EVE.
 * Every object has timestamp and event_type; connection objects have
 * flow_id, src_ip/src_port (the client) and dest_ip/dest_port (the server). */
#include <stdio.h>

#include "format.h"
#include "outputs.h"
#include "rules.h"

struct json {
	FILE *out;
	int flush;              /* live: a line as soon as it is known */
};

static struct json json_state;

static void
head(FILE *o, int64_t ts, const char *type, const struct flow_key *k,
    uint64_t flow_id)
{
	char t[40], ip[64];

	format_iso(t, sizeof(t), ts);
	fprintf(o, "{\"timestamp\":\"%s\"", t);
	if (k != NULL)
		fprintf(o, ",\"flow_id\":%llu", (unsigned long long)flow_id);
	fprintf(o, ",\"event_type\":\"%s\"", type);
	if (k == NULL)
		return;
	format_addr(ip, sizeof(ip), &k->client);
	fprintf(o, ",\"src_ip\":\"%s\",\"src_port\":%u", ip, k->client_port);
	format_addr(ip, sizeof(ip), &k->server);
	fprintf(o, ",\"dest_ip\":\"%s\",\"dest_port\":%u", ip, k->server_port);
}

static void
field(FILE *o, const char *name, const char *v, int present)
{
	fprintf(o, ",\"%s\":", name);
	if (present)
		json_string(o, v);
	else
		fputs("null", o);
}

static void
end_line(struct json *j)
{
	fputs("}\n", j->out);
	if (j->flush)
		fflush(j->out);
}

/* The "http" object of a request. */
void
json_http(FILE *o, const struct exchange *x)
{
	fputs("\"http\":{\"method\":", o);
	json_string(o, x->method);
	fputs(",\"target\":", o);
	json_string(o, x->target);
	fprintf(o, ",\"version\":\"HTTP/1.%d\"", x->minor);
	field(o, "host", x->host, x->has_host);
	field(o, "expect", x->expect, x->has_expect);
	field(o, "upgrade", x->upgrade, x->has_upgrade);
	putc('}', o);
}

static void
response(FILE *o, int status, const char *reason, int64_t ts, int64_t since)
{
	char t[40];

	format_iso(t, sizeof(t), ts);
	fprintf(o, "{\"status\":%d,\"reason\":", status);
	json_string(o, reason);
	fprintf(o, ",\"timestamp\":\"%s\",\"after\":%.6f}", t,
	    (double)(ts - since) / USEC);
}

static void
on_exchange(void *self, const struct flow_key *k, uint64_t flow_id,
    const struct exchange *x)
{
	struct json *j = self;
	FILE *o = j->out;

	head(o, x->t_begin, "exchange", k, flow_id);
	putc(',', o);
	json_http(o, x);
	fputs(",\"interim\":[", o);
	for (unsigned i = 0; i < x->n_interim; i++) {
		if (i > 0)
			putc(',', o);
		response(o, x->interim[i].status, x->interim[i].reason,
		    x->interim[i].ts, x->t_begin);
	}
	fputs("],\"final\":", o);
	if (x->final_status != 0)
		response(o, x->final_status, x->final_reason, x->t_final,
		    x->t_begin);
	else
		fputs("null", o);
	field(o, "tunnel", x->tunnel, x->tunnel[0] != '\0');
	end_line(j);
}

static void
on_anomaly(void *self, const struct anomaly *a)
{
	struct json *j = self;

	head(j->out, a->ts, "anomaly", a->key, a->flow_id);
	fprintf(j->out, ",\"anomaly\":{\"direction\":\"%s\",\"error\":",
	    a->from_client ? "request" : "response");
	json_string(j->out, http1_error_name(a->error));
	putc('}', j->out);
	end_line(j);
}

static void
on_violation(void *self, const struct violation *v)
{
	struct json *j = self;
	const struct rule *r = &rules[v->rule];
	FILE *o = j->out;

	head(o, v->ts, "violation", v->key, v->flow_id);
	fprintf(o, ",\"rule\":\"%s\",\"severity\":\"%s\"", r->id,
	    severity_name(r->severity));
	field(o, "cloudflare", r->cloudflare, r->cloudflare != NULL);
	fputs(",\"message\":", o);
	json_string(o, v->message);
	if (v->x != NULL && v->x->head_done) {
		putc(',', o);
		json_http(o, v->x);
	}
	end_line(j);
}

static void
counter(FILE *o, const char *name, uint64_t n)
{
	fprintf(o, ",\"%s\":%llu", name, (unsigned long long)n);
}

static void
on_finish(void *self, const struct stats *st, const uint64_t *rule_counts)
{
	struct json *j = self;
	FILE *o = j->out;
	int first = 1;

	head(o, st->last_ts, "summary", NULL, 0);
	counter(o, "files", st->files);
	counter(o, "packets", st->packets);
	counter(o, "bytes", st->bytes);
	counter(o, "flows", st->flows);
	counter(o, "http_flows", st->http_flows);
	counter(o, "exchanges", st->exchanges);
	fputs(",\"interim\":{", o);
	for (int c = 0; c < 100; c++) {
		if (st->status_1xx[c] == 0)
			continue;
		fprintf(o, "%s\"%d\":%llu", first ? "" : ",", 100 + c,
		    (unsigned long long)st->status_1xx[c]);
		first = 0;
	}
	fputs("},\"rules\":{", o);
	first = 1;
	for (int r = 0; r < RULE_COUNT; r++) {
		if (rule_counts[r] == 0)
			continue;
		fprintf(o, "%s\"%s\":%llu", first ? "" : ",", rules[r].id,
		    (unsigned long long)rule_counts[r]);
		first = 0;
	}
	putc('}', o);
	counter(o, "unsolicited_responses", st->unsolicited);
	fputs(",\"parse_errors\":{", o);
	first = 1;
	for (int e = 1; e < 8; e++) {
		if (st->parse_errors[e] == 0)
			continue;
		fprintf(o, "%s", first ? "" : ",");
		json_string(o, http1_error_name((enum http1_error)e));
		fprintf(o, ":%llu", (unsigned long long)st->parse_errors[e]);
		first = 0;
	}
	putc('}', o);
	counter(o, "tunnel_bytes", st->tunnel_bytes);
	counter(o, "ipv6_tcp_packets_skipped", st->ipv6_tcp_skipped);
	counter(o, "snaplen_cut_packets", st->snaplen_cut);
	counter(o, "reassembly_warnings", reassembly_warning_total(st));
	counter(o, "capped", st->pipeline_capped + st->interim_capped +
	    st->tcp_untracked);
	counter(o, "dropped", st->dropped);
	counter(o, "if_dropped", st->if_dropped);
	fprintf(o, ",\"truncated\":%s", st->truncated ? "true" : "false");
	end_line(j);
	fflush(o);
}

const struct sink *
json_sink(FILE *out, int flush)
{
	static struct sink s = {on_exchange, on_anomaly, on_violation,
	    on_finish, NULL};

	json_state.out = out;
	json_state.flush = flush;
	s.self = &json_state;
	return &s;
}
