/* view.h: the ncurses live view; the only code that touches curses. */
#ifndef INTERIM_VIEW_H
#define INTERIM_VIEW_H

#include <stdint.h>

#include "output.h"
#include "rules.h"

#define VIEW_REDRAW_MS 200      /* the screen is redrawn this often */

struct view_opts {
	const char *source;     /* interface or file names, for the header */
	int live;
};

/* Takes over the terminal. The view's sink records violations and
 * finished exchanges and hands every event on to next. Returns -1 with
 * err filled when the terminal cannot be used. */
int view_open(struct analysis *an, const struct sink *next,
    const struct view_opts *o, char *err, size_t errlen);
const struct sink *view_sink(void);

/* Files: the one being read now (i from 0, of n), for the header. */
void view_file(const char *name, int i, int n);

/* Keys, and a redraw from the model when one is due on the wall clock
 * (microseconds); now is the analysis' clock. Returns 1 once the user
 * quit. Cheap when nothing is due: callable often. */
int view_poll(int64_t wall, int64_t now);

/* The input ended: show the final state until the user quits or *stop
 * is set (a signal). */
void view_hold(int64_t now, const volatile int *stop);

/* Gives the terminal back; safe to call again, and from atexit. */
void view_close(void);

#endif
