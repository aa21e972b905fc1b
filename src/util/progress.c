/*
 * progress.c - the terminal progress bar of progress.h: throttled redraws with '\r' on a
 * line of fixed width, so shorter updates erase longer ones.
 */
#include "util/progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/banned.h"

#define BAR_WIDTH 20

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void progress_init(struct progress *p, FILE *out, const char *label, uint64_t total_bytes)
{
    memset(p, 0, sizeof(*p));
    p->out = out;
    p->label = label;
    p->total_bytes = total_bytes;
    p->enabled = out && isatty(fileno(out));
    p->start_ns = p->last_ns = now_ns();
}

void progress_force(struct progress *p)
{
    p->enabled = p->out != NULL;
}

void progress_format(char *out, const char *label, uint64_t rows, uint64_t bytes,
                     uint64_t total_bytes, double elapsed_s)
{
    progress_format_unit(out, label, "rows", rows, bytes, total_bytes, elapsed_s);
}

void progress_format_unit(char *out, const char *label, const char *unit, uint64_t rows,
                          uint64_t bytes, uint64_t total_bytes, double elapsed_s)
{
    double rate = elapsed_s > 0 ? (double)rows / elapsed_s : 0;
    size_t o = 0;
    int n = snprintf(out, PROGRESS_LINE_SIZE, "%.24s ", label);
    o = n > 0 ? (size_t)n : 0;
    if (total_bytes > 0) {
        double done = bytes >= total_bytes ? 1.0 : (double)bytes / (double)total_bytes;
        int fill = (int)(done * BAR_WIDTH);
        char bar[BAR_WIDTH + 1];
        for (int k = 0; k < BAR_WIDTH; k++)
            bar[k] = k < fill ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        n = snprintf(out + o, PROGRESS_LINE_SIZE - o, "[%s] %3d%%  ", bar, (int)(done * 100));
        o += n > 0 ? (size_t)n : 0;
    }
    n = snprintf(out + o, PROGRESS_LINE_SIZE - o, "%llu %.8s  %.0f %.8s/s",
                 (unsigned long long)rows, unit, rate, unit);
    o += n > 0 ? (size_t)n : 0;
    if (total_bytes > 0 && bytes > 0 && bytes < total_bytes && elapsed_s > 0) {
        double left = (double)(total_bytes - bytes) * elapsed_s / (double)bytes;
        unsigned long secs = (unsigned long)(left + 0.5);
        snprintf(out + o, PROGRESS_LINE_SIZE - o, "  ETA %lu:%02lu", secs / 60, secs % 60);
    }
}

static void draw(struct progress *p, uint64_t rows, uint64_t bytes, int64_t t)
{
    char line[PROGRESS_LINE_SIZE];
    progress_format_unit(line, p->label, p->unit ? p->unit : "rows", rows, bytes, p->total_bytes,
                         (double)(t - p->start_ns) / 1e9);
    /* Pad to a fixed width so that a shorter line covers a longer one. */
    fprintf(p->out, "\r%-78s", line);
    fflush(p->out);
    p->drawn = true;
    p->last_ns = t;
}

void progress_update(struct progress *p, uint64_t rows, uint64_t bytes)
{
    if (!p->enabled || ++p->calls % (p->check_every ? p->check_every : PROGRESS_CHECK_EVERY) != 0)
        return;
    int64_t t = now_ns();
    if (t - p->last_ns >= 1000000000 / PROGRESS_HZ)
        draw(p, rows, bytes, t);
}

void progress_finish(struct progress *p, uint64_t rows, uint64_t bytes)
{
    if (!p->enabled || !p->drawn)
        return;
    draw(p, rows, bytes, now_ns());
    fputc('\n', p->out);
    fflush(p->out);
}
