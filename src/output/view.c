/* view.c: the ncurses live view, like iftop or htop: a header of counters,
 * a table of connections, recent violations, and a flow's timeline.
 *
 * Drawn from the model (flow_first/flow_snapshot, the counters) on a timer,
 * never per packet; the sink only records what the model forgets: recent
 * violations, per-flow violation counts and finished exchanges (for the
 * timeline and for closed flows, which linger a few seconds). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exchange.h"
#include "format.h"
#include "view.h"

#define LINGER (5 * USEC)       /* closed flows stay this long */
#define RECENT 64               /* violations kept for the pane */
#define RECORDS 1024            /* flows remembered, the idlest reused */
#define STEPS 32                /* exchanges kept per flow, the last */
#define ROWS_MAX 4096           /* table rows drawn from */
#define MIN_W 80
#define MIN_H 24

enum { C_OK = 1, C_WARN, C_BAD, C_HEAD };

struct step {                   /* one finished exchange, for the ladder */
	char request[72];
	int64_t t_begin, t_end, t_final;
	int n_interim;
	int status[X_INTERIM];
	int64_t ts[X_INTERIM];
	int final_status;
	enum exchange_end end;
	char tunnel[24];
};

struct record {                 /* what the view remembers of one flow */
	uint64_t id;                /* 0: free */
	struct flow_key key;
	unsigned violations;
	int64_t touched;
	int64_t closed;             /* seen gone at this time; 0: open */
	struct step steps[STEPS];
	unsigned nsteps;            /* all, the last STEPS kept */
};

struct recent {
	int64_t ts;
	int rule;
	uint64_t id;
	char message[160];
};

struct row {
	struct flow_snapshot s;
	struct record *rec;
	int closed;
	char ends[136];             /* "client -> server" */
	char text[512];             /* what the filter matches */
};

enum sort_key { SORT_WAIT, SORT_CLIENT, SORT_SERVER, SORT_STATE,
	SORT_VIOLATIONS, SORT_KEYS };
static const char *const sort_names[SORT_KEYS] = {"waiting", "client",
	"server", "state", "violations"};

enum page { SCR_TABLE, SCR_DETAIL, SCR_HELP };

static struct {
	int on;
	struct analysis *an;
	const struct sink *next;
	struct sink sink;
	const char *source;
	int file, files;            /* the file read (1-based), of files */
	int live, colour;
	struct record rec[RECORDS];
	struct recent recent[RECENT];
	unsigned nrecent;           /* all, the last RECENT kept */
	uint64_t by_sev[SEV_ERROR + 1];
	struct row rows[ROWS_MAX];
	int nrows;
	int64_t next_draw;
	int paused, only_violations, sel, top, dtop;
	enum sort_key sort;
	enum page screen;
	uint64_t detail_id;
	char filter[64];
	int editing;                /* typing a filter */
	int quit, ended;
	/* rates */
	int64_t rate_t;
	uint64_t rate_packets, rate_bytes;
	double pps, bps;
} V;

/* A copy cut to fit. */
static void
clip(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memmove(dst, src, n);
	dst[n] = '\0';
}

static struct record *
record_find(uint64_t id, int create, int64_t now)
{
	struct record *idlest = NULL;

	/* short probe; past it the idlest of the probed is reused */
	for (int i = 0; i < 8; i++) {
		struct record *c = &V.rec[(id + (uint64_t)i) % RECORDS];

		if (c->id == id)
			return c;
		if (c->id == 0) {
			idlest = c;
			break;
		}
		if (idlest == NULL || c->touched < idlest->touched)
			idlest = c;
	}
	if (!create)
		return NULL;
	memset(idlest, 0, sizeof(*idlest));
	idlest->id = id;
	idlest->touched = now;
	return idlest;
}

/* --- the sink --- */

static void
on_exchange(void *self, const struct flow_key *key, uint64_t id,
    const struct exchange *x)
{
	struct record *r = record_find(id, 1, x->t_begin);
	struct step *s = &r->steps[r->nsteps++ % STEPS];

	(void)self;
	r->key = *key;
	r->touched = x->t_final > x->t_end ? x->t_final : x->t_end;
	memset(s, 0, sizeof(*s));
	snprintf(s->request, sizeof(s->request), "%.23s %.46s", x->method,
	    x->target);
	s->t_begin = x->t_begin;
	s->t_end = x->t_end;
	s->t_final = x->t_final;
	s->n_interim = (int)x->n_interim;
	for (unsigned i = 0; i < x->n_interim; i++) {
		s->status[i] = x->interim[i].status;
		s->ts[i] = x->interim[i].ts;
	}
	s->final_status = x->final_status;
	s->end = x->end;
	clip(s->tunnel, sizeof(s->tunnel), x->tunnel);
	if (V.next->exchange != NULL)
		V.next->exchange(V.next->self, key, id, x);
}

static void
on_anomaly(void *self, const struct anomaly *a)
{
	(void)self;
	if (V.next->anomaly != NULL)
		V.next->anomaly(V.next->self, a);
}

static void
on_violation(void *self, const struct violation *v)
{
	struct recent *p = &V.recent[V.nrecent++ % RECENT];
	enum severity sev = rules[v->rule].severity;

	(void)self;
	p->ts = v->ts;
	p->rule = v->rule;
	p->id = v->flow_id;
	clip(p->message, sizeof(p->message), v->message);
	if (sev <= SEV_ERROR)
		V.by_sev[sev]++;
	if (v->key != NULL) {
		struct record *r = record_find(v->flow_id, 1, v->ts);

		r->key = *v->key;
		r->violations++;
		r->touched = v->ts;
	}
	if (V.next->violation != NULL)
		V.next->violation(V.next->self, v);
}

static void
on_finish(void *self, const struct stats *st, const uint64_t *counts)
{
	(void)self;
	if (V.next->finish != NULL)
		V.next->finish(V.next->self, st, counts);
}

void
view_file(const char *name, int i, int n)
{
	V.source = name;
	V.file = i + 1;
	V.files = n;
}

const struct sink *
view_sink(void)
{
	return &V.sink;
}

/* --- the terminal --- */

int
view_open(struct analysis *an, const struct sink *next,
    const struct view_opts *o, char *err, size_t errlen)
{
	const char *nc = getenv("NO_COLOR");

	memset(&V, 0, sizeof(V));
	V.an = an;
	V.next = next;
	V.sink = (struct sink){on_exchange, on_anomaly, on_violation,
	    on_finish, NULL};
	V.source = o->source;
	V.live = o->live;
	if (newterm(NULL, stdout, stdin) == NULL) {
		snprintf(err, errlen, "cannot start the live view: terminal "
		    "'%s' unknown", getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	V.on = 1;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (has_colors() && (nc == NULL || nc[0] == '\0')) {
		start_color();
		use_default_colors();
		init_pair(C_OK, COLOR_GREEN, -1);
		init_pair(C_WARN, COLOR_YELLOW, -1);
		init_pair(C_BAD, COLOR_RED, -1);
		init_pair(C_HEAD, COLOR_CYAN, -1);
		V.colour = 1;
	}
	return 0;
}

void
view_close(void)
{
	if (!V.on)
		return;
	V.on = 0;
	curs_set(1);
	endwin();
	fflush(stdout);
}

static attr_t
tone(int pair, attr_t mono)
{
	return V.colour ? COLOR_PAIR(pair) : mono;
}

/* --- the model into rows --- */

static const char *
state_name(const struct flow_snapshot *s, char *buf, size_t size)
{
	switch (s->state) {
	case FLOW_AWAIT_100: return "awaiting 100";
	case FLOW_AFTER_102: return "after 102";
	case FLOW_AWAIT_RESPONSE: return "awaiting response";
	case FLOW_UPGRADED:
		snprintf(buf, size, "upgraded: %.40s", s->upgraded);
		return buf;
	case FLOW_IDLE: break;
	}
	return "idle";
}

static double
waited(const struct flow_snapshot *s, int64_t now)
{
	if (s->state == FLOW_IDLE || s->state == FLOW_UPGRADED ||
	    now < s->since)
		return 0;
	return (double)(now - s->since) / USEC;
}

static void
row_text(struct row *w)
{
	char c[64], sv[64], st[64];

	format_endpoint(c, sizeof(c), &w->s.key.client, w->s.key.client_port);
	format_endpoint(sv, sizeof(sv), &w->s.key.server, w->s.key.server_port);
	snprintf(w->ends, sizeof(w->ends), "%s -> %s", c, sv);
	snprintf(w->text, sizeof(w->text), "%s %s %s", w->ends,
	    w->closed ? "closed" : state_name(&w->s, st, sizeof(st)),
	    w->s.request);
}

static int64_t sort_now;

static int
cmp_key(const struct flow_key *a, const struct flow_key *b, int server)
{
	const struct addr *x = server ? &a->server : &a->client;
	const struct addr *y = server ? &b->server : &b->client;
	int d = memcmp(x->bytes, y->bytes, 16);

	if (d != 0)
		return d;
	return server ? (int)a->server_port - (int)b->server_port :
	    (int)a->client_port - (int)b->client_port;
}

static int
cmp_rows(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	unsigned va = a->rec ? a->rec->violations : 0;
	unsigned vb = b->rec ? b->rec->violations : 0;
	double wa, wb;

	switch (V.sort) {
	case SORT_CLIENT: return cmp_key(&a->s.key, &b->s.key, 0);
	case SORT_SERVER: return cmp_key(&a->s.key, &b->s.key, 1);
	case SORT_STATE:
		if (a->s.state != b->s.state)
			return (int)b->s.state - (int)a->s.state;
		break;
	case SORT_VIOLATIONS:
		if (va != vb)
			return va > vb ? -1 : 1;
		break;
	default: break;
	}
	wa = waited(&a->s, sort_now);
	wb = waited(&b->s, sort_now);
	if (wa != wb)
		return wa > wb ? -1 : 1;
	return a->s.id < b->s.id ? -1 : a->s.id > b->s.id;
}

static int
wanted(struct row *w)
{
	if (V.only_violations && (w->rec == NULL || w->rec->violations == 0))
		return 0;
	row_text(w);
	return V.filter[0] == '\0' || strstr(w->text, V.filter) != NULL;
}

static void
gather(int64_t now)
{
	uint64_t open_ids[ROWS_MAX];
	int nopen = 0;

	V.nrows = 0;
	for (const struct flow *f = flow_first(V.an); f != NULL &&
	    V.nrows < ROWS_MAX; f = flow_next(f)) {
		struct row *w = &V.rows[V.nrows];

		flow_snapshot(f, &w->s);
		w->rec = record_find(w->s.id, 0, now);
		w->closed = 0;
		if (w->rec != NULL)
			w->rec->closed = 0;
		open_ids[nopen++] = w->s.id;
		if (wanted(w))
			V.nrows++;
	}
	/* closed flows linger */
	for (int i = 0; i < RECORDS && V.nrows < ROWS_MAX; i++) {
		struct record *r = &V.rec[i];
		struct row *w = &V.rows[V.nrows];
		int open = 0;

		if (r->id == 0)
			continue;
		for (int j = 0; j < nopen && !open; j++)
			open = open_ids[j] == r->id;
		if (open)
			continue;
		if (r->closed == 0)
			r->closed = now;
		if (!V.ended && now - r->closed > LINGER)
			continue;
		memset(&w->s, 0, sizeof(w->s));
		w->s.key = r->key;
		w->s.id = r->id;
		w->s.state = FLOW_IDLE;
		if (r->nsteps > 0)
			clip(w->s.request, sizeof(w->s.request),
			    r->steps[(r->nsteps - 1) % STEPS].request);
		w->rec = r;
		w->closed = 1;
		if (wanted(w))
			V.nrows++;
	}
	sort_now = now;
	qsort(V.rows, (size_t)V.nrows, sizeof(V.rows[0]), cmp_rows);
}

/* --- drawing --- */

static void
put(int y, int x, int w, const char *s)
{
	if (w > 0)
		mvaddnstr(y, x, s, w);
}

static void
draw_header(int64_t now)
{
	const struct stats *st = V.an->st;
	char line[512], codes[256] = "", files[32] = "";
	size_t n = 0;
	int live_flows = 0;

	for (const struct flow *f = flow_first(V.an); f != NULL;
	    f = flow_next(f))
		live_flows++;
	if (V.rate_t == 0 || now - V.rate_t >= USEC) {
		if (V.rate_t != 0 && now > V.rate_t) {
			double dt = (double)(now - V.rate_t) / USEC;

			V.pps = (double)(st->packets - V.rate_packets) / dt;
			V.bps = (double)(st->bytes - V.rate_bytes) * 8 / dt;
		}
		V.rate_t = now;
		V.rate_packets = st->packets;
		V.rate_bytes = st->bytes;
	}
	for (int c = 0; c < 100; c++)
		if (st->status_1xx[c] > 0 && n < sizeof(codes) - 24)
			n += (size_t)snprintf(codes + n, sizeof(codes) - n,
			    " %d:%llu", 100 + c,
			    (unsigned long long)st->status_1xx[c]);
	attron(A_BOLD | tone(C_HEAD, 0));
	if (V.files > 1)
		snprintf(files, sizeof(files), "  (file %d of %d)", V.file,
		    V.files);
	/* what changes first: a long name is cut at the right */
	snprintf(line, sizeof(line), "interim  %s%s%s %s%s", V.paused ?
	    "PAUSED  " : "", V.ended ? "input ended  " : "", V.live ?
	    "live on" : "reading", V.source, files);
	put(0, 0, COLS, line);
	attroff(A_BOLD | tone(C_HEAD, 0));
	snprintf(line, sizeof(line), "%.0f pkt/s  %.0f bit/s  drops %llu  "
	    "flows %d open, %llu seen  exchanges %llu",
	    V.pps, V.bps, (unsigned long long)(st->dropped + st->if_dropped),
	    live_flows, (unsigned long long)st->flows,
	    (unsigned long long)st->exchanges);
	put(1, 0, COLS, line);
	snprintf(line, sizeof(line), "1xx:%s  violations: %llu error, %llu "
	    "warning, %llu notice", codes[0] ? codes : " none",
	    (unsigned long long)V.by_sev[SEV_ERROR],
	    (unsigned long long)V.by_sev[SEV_WARNING],
	    (unsigned long long)V.by_sev[SEV_NOTICE]);
	put(2, 0, COLS, line);
}

static void
draw_bar(int y, int x, int w, double frac)
{
	int fill;
	attr_t a;

	if (frac < 0)
		frac = 0;
	fill = frac >= 1 ? w : (int)(frac * w);
	a = frac < 0.5 ? tone(C_OK, 0) : frac < 0.8 ? tone(C_WARN, A_BOLD) :
	    tone(C_BAD, A_REVERSE);
	mvaddch(y, x, '[');
	attron(a);
	for (int i = 0; i < w - 2; i++)
		mvaddch(y, x + 1 + i, i < fill * (w - 2) / w ? '#' : ' ');
	attroff(a);
	mvaddch(y, x + w - 1, ']');
}

/* Columns: the endpoints and the request share what the fixed ones
 * leave, the request at least two fifths of it (as htop's command). */
enum { W_STATE = 19, W_1XX = 8, W_WAIT = 13, W_CF = 4, W_VIO = 3,
	W_FIXED = W_1XX + W_WAIT + W_CF + W_VIO + 6 };

struct layout {
	int wend, xs, ws, xr, wreq, x1, xw, xc, xv;
};

static struct layout
layout(void)
{
	struct layout l;
	int need = 0, avail, req = 7, share;    /* 7: "REQUEST" */

	l.ws = 6;                               /* "closed" */
	for (int i = 0; i < V.nrows; i++) {
		char st[64];
		int n = (int)strlen(V.rows[i].ends);
		int r = (int)strlen(V.rows[i].s.request);
		int t = V.rows[i].closed ? 6 : (int)strlen(state_name(
		    &V.rows[i].s, st, sizeof(st)));

		if (n > need)
			need = n;
		if (r > req)
			req = r;
		if (t > l.ws)
			l.ws = t < W_STATE ? t : W_STATE;
	}
	avail = COLS - W_FIXED - l.ws;
	need += 1;                      /* the selection mark */
	if (need < 17)
		need = 17;                  /* the heading */
	share = avail - avail * 2 / 5;
	if (avail - req > share)        /* short requests leave room */
		share = avail - req;
	l.wend = need < share ? need : share;
	l.xs = l.wend + 1;
	l.xr = l.xs + l.ws + 1;
	l.wreq = avail - l.wend;
	l.x1 = l.xr + l.wreq + 1;
	l.xw = l.x1 + W_1XX + 1;
	l.xc = l.xw + W_WAIT + 1;
	l.xv = l.xc + W_CF + 1;
	return l;
}

/* "client -> server" in w columns: the client's address gives way first,
 * from its left, then the server's. */
static void
put_ends(int y, int x, int w, const char *mark, const char *ends)
{
	const char *arrow = strstr(ends, " -> ");
	int n = (int)strlen(ends), cut = n + 1 - w;

	put(y, x, 1, mark);
	if (cut <= 0 || arrow == NULL) {
		put(y, x + 1, w - 1, ends);
		return;
	}
	put(y, x + 1, 1, "~");
	if (cut + 1 < (int)(arrow - ends)) {
		put(y, x + 2, w - 2, ends + cut + 1);
	} else {                        /* the server alone, cut the same way */
		const char *sv = arrow + 4;
		int m = (int)strlen(sv);

		put(y, x + 2, w - 2, m > w - 2 ? sv + m - (w - 2) : sv);
	}
}

static void
draw_table(int y0, int h, int64_t now)
{
	struct layout l = layout();
	char buf[256];

	attron(A_REVERSE);
	mvhline(y0, 0, ' ', COLS);
	put(y0, 0, l.wend, " CLIENT -> SERVER");
	put(y0, l.xs, l.ws, "STATE");
	put(y0, l.xr, l.wreq, "REQUEST");
	put(y0, l.x1, W_1XX, "1XX AGE");
	put(y0, l.xw, W_WAIT, "WAITING");
	put(y0, l.xc, W_CF, "CF");
	put(y0, l.xv, W_VIO, "VIO");
	attroff(A_REVERSE);
	if (V.sel >= V.nrows)
		V.sel = V.nrows - 1;
	if (V.sel < 0)
		V.sel = 0;
	if (V.sel < V.top)
		V.top = V.sel;
	if (V.sel >= V.top + h - 1)
		V.top = V.sel - (h - 2);
	if (V.top < 0)
		V.top = 0;
	for (int i = 0; i < h - 1 && V.top + i < V.nrows; i++) {
		struct row *w = &V.rows[V.top + i];
		struct flow_snapshot *s = &w->s;
		char st[64];
		int y = y0 + 1 + i;
		double wt = waited(s, now);

		if (V.top + i == V.sel)
			attron(A_BOLD);
		put_ends(y, 0, l.wend, V.top + i == V.sel ? ">" : " ", w->ends);
		put(y, l.xs, l.ws, w->closed ? "closed" :
		    state_name(s, st, sizeof(st)));
		put(y, l.xr, l.wreq, s->request);
		if (s->last_1xx != 0) {
			snprintf(buf, sizeof(buf), "%d %llds", s->last_1xx,
			    (long long)((now - s->last_1xx_ts) / USEC));
			put(y, l.x1, W_1XX, buf);
		}
		if (!w->closed && (wt > 0 || s->state == FLOW_AWAIT_100 ||
		    s->state == FLOW_AFTER_102 ||
		    s->state == FLOW_AWAIT_RESPONSE)) {
			snprintf(buf, sizeof(buf), "%5.1fs", wt);
			put(y, l.xw, 6, buf);
			if (s->timeout > 0)
				draw_bar(y, l.xw + 7, W_WAIT - 7,
				    wt * USEC / (double)s->timeout);
		}
		if (!w->closed && s->cloudflare != 0 && s->timeout > 0) {
			double left = (double)s->timeout / USEC - wt;

			if (left > 0)           /* as a countdown: up */
				snprintf(buf, sizeof(buf), "%llds",
				    (long long)left + (left >
				    (double)(long long)left));
			else
				snprintf(buf, sizeof(buf), "%d", s->cloudflare);
			if (left <= 0)
				attron(tone(C_BAD, A_REVERSE));
			put(y, l.xc, W_CF, buf);
			if (left <= 0)
				attroff(tone(C_BAD, A_REVERSE));
		}
		if (w->rec != NULL && w->rec->violations > 0) {
			snprintf(buf, sizeof(buf), "%u", w->rec->violations);
			attron(tone(C_BAD, A_BOLD));
			put(y, l.xv, W_VIO, buf);
			attroff(tone(C_BAD, A_BOLD));
		}
		attroff(A_BOLD);
	}
}

static void
draw_recent(int y0, int h)
{
	char buf[512], t[32];
	unsigned have = V.nrecent < RECENT ? V.nrecent : RECENT;

	attron(A_REVERSE);
	mvhline(y0, 0, ' ', COLS);
	put(y0, 0, COLS, "RECENT VIOLATIONS");
	attroff(A_REVERSE);
	for (int i = 0; i < h - 1 && (unsigned)i < have; i++) {
		const struct recent *p = &V.recent[(V.nrecent - 1 -
		    (unsigned)i) % RECENT];
		enum severity sev = rules[p->rule].severity;

		format_clock(t, sizeof(t), p->ts);
		snprintf(buf, sizeof(buf), "%s %-7s %s: %s", t,
		    severity_name(sev), rules[p->rule].id, p->message);
		attron(sev == SEV_ERROR ? tone(C_BAD, A_BOLD) : 0);
		put(y0 + 1 + i, 0, COLS, buf);
		attroff(sev == SEV_ERROR ? tone(C_BAD, A_BOLD) : 0);
	}
}

/* One arrow of the ladder: at offset t, the label, left or right. */
static void
rung(int y, int64_t t, const char *label, int to_server)
{
	int x0 = 12, x1 = COLS - 12, len = x1 - x0;
	char buf[32];

	snprintf(buf, sizeof(buf), "%+9.3fs", (double)t / USEC);
	put(y, 0, 11, buf);
	mvaddch(y, x0 - 1, '|');
	mvaddch(y, x1, '|');
	for (int i = 0; i < len - 1; i++)
		mvaddch(y, x0 + i, '-');
	if (to_server)
		mvaddch(y, x1 - 1, '>');
	else
		mvaddch(y, x0, '<');
	put(y, x0 + 3, len - 6, label);
}

static void
draw_detail(int64_t now)
{
	struct record *r = record_find(V.detail_id, 0, now);
	const struct flow *open = NULL;
	struct flow_snapshot s;
	char c[64], sv[64], buf[256], st[64];
	int y = 4, line = 0, h = LINES - 1;
	int64_t t0 = 0;

	for (const struct flow *f = flow_first(V.an); f != NULL;
	    f = flow_next(f))
		if (flow_snapshot(f, &s), s.id == V.detail_id) {
			open = f;
			break;
		}
	if (open == NULL && r == NULL) {
		put(y, 0, COLS, "this flow is gone (Esc: back)");
		return;
	}
	if (open == NULL) {
		memset(&s, 0, sizeof(s));
		s.key = r->key;
	}
	format_endpoint(c, sizeof(c), &s.key.client, s.key.client_port);
	format_endpoint(sv, sizeof(sv), &s.key.server, s.key.server_port);
	attron(A_REVERSE);
	mvhline(3, 0, ' ', COLS);
	snprintf(buf, sizeof(buf), "%s -> %s  %s  (Esc: back)", c, sv,
	    open ? state_name(&s, st, sizeof(st)) : "closed");
	put(3, 0, COLS, buf);
	attroff(A_REVERSE);
	if (r != NULL && r->nsteps > 0)
		t0 = r->steps[r->nsteps > STEPS ? r->nsteps % STEPS : 0].t_begin;
	else if (open != NULL)
		t0 = s.since;
	format_clock(st, sizeof(st), t0);
	snprintf(buf, sizeof(buf), "client   (+0 is %s)", st);
	put(y, 2, COLS - 14, buf);
	put(y, COLS - 12, 12, "server");
	y++;
	if (r != NULL && r->nsteps > STEPS) {
		snprintf(buf, sizeof(buf), "   (%u earlier exchanges not kept)",
		    r->nsteps - STEPS);
		if (line++ >= V.dtop && y < h)
			put(y++, 0, COLS, buf);
	}
	for (unsigned k = 0; r != NULL && k < (r->nsteps < STEPS ? r->nsteps :
	    STEPS); k++) {
		unsigned base = r->nsteps > STEPS ? r->nsteps - STEPS : 0;
		const struct step *p = &r->steps[(base + k) % STEPS];

		if (line++ >= V.dtop && y < h)
			rung(y++, p->t_begin - t0, p->request, 1);
		for (int i = 0; i < p->n_interim; i++) {
			snprintf(buf, sizeof(buf), "%d", p->status[i]);
			if (line++ >= V.dtop && y < h)
				rung(y++, p->ts[i] - t0, buf, 0);
		}
		if (p->final_status != 0) {
			snprintf(buf, sizeof(buf), "%d%s%s", p->final_status,
			    p->tunnel[0] ? " -> " : "", p->tunnel);
			if (line++ >= V.dtop && y < h)
				rung(y++, p->t_final - t0, buf, 0);
		} else if (p->end == END_TUNNEL) {
			snprintf(buf, sizeof(buf), "%11s  (a tunnel from here: "
			    "%s)", "", p->tunnel[0] ? p->tunnel : "CONNECT");
			if (line++ >= V.dtop && y < h)
				put(y++, 0, COLS, buf);
		} else if (line++ >= V.dtop && y < h) {
			snprintf(buf, sizeof(buf), "%11s  (no final response: "
			    "%s)", "", end_is_close(p->end) ? "connection "
			    "ended" : p->end == END_CAPTURE_ENDED ? "input ended" :
			    "let go");
			put(y++, 0, COLS, buf);
		}
	}
	if (open != NULL && s.request[0] != '\0' && line >= V.dtop && y < h) {
		rung(y++, (s.since ? s.since : now) - t0, s.request, 1);
		if (s.last_1xx != 0 && y < h) {
			snprintf(buf, sizeof(buf), "%d", s.last_1xx);
			rung(y++, s.last_1xx_ts - t0, buf, 0);
		}
		double wt = waited(&s, now);
		int passed = s.timeout > 0 && wt * USEC >= (double)s.timeout;

		snprintf(buf, sizeof(buf), "%11s  ... %s for %.1fs%s", "",
		    state_name(&s, st, sizeof(st)), wt, passed ? ", past its "
		    "deadline" : "");
		if (passed && s.cloudflare != 0)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    ": Cloudflare would answer %d", s.cloudflare);
		if (y < h)
			put(y++, 0, COLS, buf);
	}
}

static void
draw_help(void)
{
	static const char *const lines[] = {
		"q          quit",
		"p, space   pause the display (capture and rules go on)",
		"s          cycle the sort: waiting, client, server, state, "
		"violations",
		"/          filter by substring (Enter: keep, Esc: clear)",
		"v          only flows with violations",
		"arrows, PgUp, PgDn, Home, End   move and scroll",
		"Enter      a flow's timeline; Esc back",
		"?          this help (any key: back)",
		NULL
	};

	attron(A_REVERSE);
	mvhline(3, 0, ' ', COLS);
	put(3, 0, COLS, "KEYS");
	attroff(A_REVERSE);
	for (int i = 0; lines[i] != NULL; i++)
		put(5 + i, 2, COLS - 2, lines[i]);
}

static void
draw(int64_t now)
{
	erase();
	if (COLS < MIN_W || LINES < MIN_H) {
		char buf[128];

		snprintf(buf, sizeof(buf), "terminal too small: %dx%d, the "
		    "view needs %dx%d (q quits)", COLS, LINES, MIN_W, MIN_H);
		put(0, 0, COLS, buf);
		refresh();
		return;
	}
	gather(now);
	draw_header(now);
	if (V.screen == SCR_HELP) {
		draw_help();
	} else if (V.screen == SCR_DETAIL) {
		draw_detail(now);
	} else {
		int pane = (LINES - 4) / 3;

		draw_table(3, LINES - 4 - pane, now);
		draw_recent(LINES - 1 - pane, pane);
	}
	attron(A_REVERSE);
	mvhline(LINES - 1, 0, ' ', COLS);
	if (V.editing) {
		char buf[96];

		snprintf(buf, sizeof(buf), "filter: %s_", V.filter);
		put(LINES - 1, 0, COLS, buf);
	} else {
		char buf[256];

		snprintf(buf, sizeof(buf), "%s  sort: %s%s%s%s  %d shown",
		    V.ended ? "input ended; q quit  ? help" :
		    "q quit  p pause  s sort  / filter  v violations  ? help",
		    sort_names[V.sort], V.filter[0] ? "  filter: " : "",
		    V.filter, V.only_violations ? "  violations only" : "",
		    V.nrows);
		put(LINES - 1, 0, COLS, buf);
	}
	attroff(A_REVERSE);
	refresh();
}

/* --- keys --- */

static void
key(int c)
{
	int page = LINES > 10 ? LINES / 2 : 1;

	if (V.editing) {
		size_t n = strlen(V.filter);

		if (c == 27) {
			V.filter[0] = '\0';
			V.editing = 0;
		} else if (c == '\n' || c == '\r' || c == KEY_ENTER) {
			V.editing = 0;
		} else if (c == KEY_BACKSPACE || c == 127 || c == 8) {
			if (n > 0)
				V.filter[n - 1] = '\0';
		} else if (c >= 32 && c < 127 && n + 1 < sizeof(V.filter)) {
			V.filter[n] = (char)c;
			V.filter[n + 1] = '\0';
		}
		return;
	}
	if (V.screen == SCR_HELP && c != 'q') {
		V.screen = SCR_TABLE;
		return;
	}
	switch (c) {
	case 'q': case 'Q': V.quit = 1; break;
	case 'p': case ' ': V.paused = !V.paused; break;
	case 's': V.sort = (V.sort + 1) % SORT_KEYS; break;
	case '/': V.editing = 1; V.filter[0] = '\0'; break;
	case 'v': V.only_violations = !V.only_violations; break;
	case '?': V.screen = SCR_HELP; break;
	case 27:
		V.screen = SCR_TABLE;
		break;
	case '\n': case '\r': case KEY_ENTER:
		if (V.screen == SCR_TABLE && V.sel < V.nrows) {
			V.detail_id = V.rows[V.sel].s.id;
			V.screen = SCR_DETAIL;
			V.dtop = 0;
		}
		break;
	case KEY_UP: if (V.screen == SCR_DETAIL) V.dtop--; else V.sel--; break;
	case KEY_DOWN: if (V.screen == SCR_DETAIL) V.dtop++; else V.sel++; break;
	case KEY_PPAGE: if (V.screen == SCR_DETAIL) V.dtop -= page; else V.sel -= page; break;
	case KEY_NPAGE: if (V.screen == SCR_DETAIL) V.dtop += page; else V.sel += page; break;
	case KEY_HOME: V.sel = 0; V.dtop = 0; break;
	case KEY_END: V.sel = V.nrows - 1; break;
	default: break;
	}
	if (V.dtop < 0)
		V.dtop = 0;
	if (V.sel < 0)
		V.sel = 0;
}

int
view_poll(int64_t wall, int64_t now)
{
	int c, changed = 0;

	if (!V.on)
		return 1;
	while ((c = getch()) != ERR) {
		if (c != KEY_RESIZE)
			key(c);
		changed = 1;
	}
	if (V.quit)
		return 1;
	if ((changed || wall >= V.next_draw) && (!V.paused || changed)) {
		draw(now);
		V.next_draw = wall + VIEW_REDRAW_MS * 1000LL;
	}
	return 0;
}

void
view_hold(int64_t now, const volatile int *stop)
{
	struct timespec ts = {0, 50 * 1000000L};

	V.ended = 1;
	V.next_draw = 0;
	while (V.on && !V.quit && !*stop) {
		struct timespec w;

		clock_gettime(CLOCK_REALTIME, &w);
		if (view_poll((int64_t)w.tv_sec * USEC + w.tv_nsec / 1000,
		    now))
			break;
		nanosleep(&ts, NULL);
	}
}
