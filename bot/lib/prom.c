#include "bot/lib/prom.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/lib/log.h"
#include "bot/lib/xalloc.h"

struct series {
    char *labels;
    double value;
};

struct family {
    char *name, *help;
    enum prom_type type;
    struct series *series;
    size_t n, cap;
    int warned; /* used before it was declared: said once */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct family *families;
static size_t nfamilies, cap_families;
static struct family undeclared; /* what an undeclared name's warnings are kept on */

static struct family *find(const char *name)
{
    for (size_t i = 0; i < nfamilies; i++)
        if (!strcmp(families[i].name, name))
            return &families[i];
    return NULL;
}

void prom_declare(const char *name, enum prom_type type, const char *help)
{
    pthread_mutex_lock(&lock);
    if (!find(name)) {
        if (nfamilies == cap_families) {
            cap_families = cap_families ? cap_families * 2 : 32;
            families = xrealloc(families, cap_families * sizeof *families);
        }
        families[nfamilies++] = (struct family){xstrdup(name), xstrdup(help), type, NULL, 0, 0, 0};
    }
    pthread_mutex_unlock(&lock);
}

/* The series of a declared family, created at 0; NULL (said once) for an undeclared one. */
static struct series *series_of(const char *name, const char *labels)
{
    struct family *f = find(name);
    if (!f) {
        if (!undeclared.warned++)
            log_error("metrics", "%s is not a declared metric: not counted", name);
        return NULL;
    }
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->series[i].labels, labels))
            return &f->series[i];
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->series = xrealloc(f->series, f->cap * sizeof *f->series);
    }
    f->series[f->n] = (struct series){xstrdup(labels), 0};
    return &f->series[f->n++];
}

void prom_add(const char *name, const char *labels, double by)
{
    pthread_mutex_lock(&lock);
    struct series *s = series_of(name, labels);
    if (s)
        s->value += by;
    pthread_mutex_unlock(&lock);
}

void prom_set(const char *name, const char *labels, double value)
{
    pthread_mutex_lock(&lock);
    struct series *s = series_of(name, labels);
    if (s)
        s->value = value;
    pthread_mutex_unlock(&lock);
}

void prom_touch(const char *name, const char *labels)
{
    prom_add(name, labels, 0);
}

double prom_get(const char *name, const char *labels)
{
    double v = 0;
    pthread_mutex_lock(&lock);
    struct family *f = find(name);
    for (size_t i = 0; f && i < f->n; i++)
        if (!strcmp(f->series[i].labels, labels))
            v = f->series[i].value;
    pthread_mutex_unlock(&lock);
    return v;
}

static void clear_series(struct family *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->series[i].labels);
    f->n = 0;
}

void prom_clear(const char *name)
{
    pthread_mutex_lock(&lock);
    struct family *f = find(name);
    if (f)
        clear_series(f);
    pthread_mutex_unlock(&lock);
}

/* Help text escapes backslash and newline; label values also the double quote. */
static void escaped(struct sbuf *out, const char *s, int quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            sbuf_addstr(out, "\\\\");
        else if (*s == '\n')
            sbuf_addstr(out, "\\n");
        else if (*s == '"' && quote)
            sbuf_addstr(out, "\\\"");
        else
            sbuf_add(out, s, 1);
    }
}

static void value(struct sbuf *out, double v)
{
    if (isnan(v))
        sbuf_addstr(out, "NaN");
    else if (isinf(v))
        sbuf_addstr(out, v > 0 ? "+Inf" : "-Inf");
    else if (v == (double)(long long)v && fabs(v) < 1e15)
        sbuf_addf(out, "%lld", (long long)v);
    else
        sbuf_addf(out, "%.17g", v);
}

void prom_render(struct sbuf *out)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nfamilies; i++) {
        struct family *f = &families[i];
        sbuf_addf(out, "# HELP %s ", f->name);
        escaped(out, f->help, 0);
        sbuf_addf(out, "\n# TYPE %s %s\n", f->name, f->type == PROM_COUNTER ? "counter" : "gauge");
        for (size_t k = 0; k < f->n; k++) {
            if (*f->series[k].labels)
                sbuf_addf(out, "%s{%s} ", f->name, f->series[k].labels);
            else
                sbuf_addf(out, "%s ", f->name);
            value(out, f->series[k].value);
            sbuf_addstr(out, "\n");
        }
    }
    pthread_mutex_unlock(&lock);
}

void prom_label(char *buf, size_t size, const char *name, const char *val)
{
    struct sbuf sb = SBUF_INIT;
    sbuf_addf(&sb, "%s=\"", name);
    escaped(&sb, val, 1);
    sbuf_addstr(&sb, "\"");
    snprintf(buf, size, "%s", sb.buf);
    sbuf_release(&sb);
}

void prom_reset(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nfamilies; i++) {
        clear_series(&families[i]);
        free(families[i].series);
        free(families[i].name);
        free(families[i].help);
    }
    free(families);
    families = NULL;
    nfamilies = cap_families = 0;
    undeclared.warned = 0;
    pthread_mutex_unlock(&lock);
}
