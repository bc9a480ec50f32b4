#include "bot/domain/geo.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/lib/xalloc.h"

struct ring {
    size_t n;
    double *xy; /* lon, lat, lon, lat, ... */
};

struct geo_area {
    size_t nrings;
    struct ring *rings;
    double min_lon, min_lat, max_lon, max_lat;
};

#define GEO_FILE_MAX (64 << 20)

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n == cap)
            buf = xrealloc(buf, (cap = cap ? cap * 2 : 65536) + 1);
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got && n <= GEO_FILE_MAX);
    int bad = ferror(f) || n > GEO_FILE_MAX;
    fclose(f);
    if (bad) {
        free(buf);
        errno = EFBIG;
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Appends one linear ring; 0, or -1 when it is not one. */
static int add_ring(struct geo_area *a, const cJSON *coords)
{
    int n = cJSON_GetArraySize(coords);
    if (!cJSON_IsArray(coords) || n < 4)
        return -1;
    struct ring r = {(size_t)n, xcalloc((size_t)n * 2, sizeof(double))};
    for (int i = 0; i < n; i++) {
        const cJSON *pt = cJSON_GetArrayItem(coords, i);
        const cJSON *lon = cJSON_GetArrayItem(pt, 0), *lat = cJSON_GetArrayItem(pt, 1);
        if (!cJSON_IsArray(pt) || !cJSON_IsNumber(lon) || !cJSON_IsNumber(lat) ||
            fabs(lon->valuedouble) > 180 || fabs(lat->valuedouble) > 90) {
            free(r.xy);
            return -1;
        }
        r.xy[2 * i] = lon->valuedouble, r.xy[2 * i + 1] = lat->valuedouble;
    }
    if (r.xy[0] != r.xy[2 * n - 2] || r.xy[1] != r.xy[2 * n - 1]) { /* a ring ends where it began */
        free(r.xy);
        return -1;
    }
    for (size_t i = 0; i < r.n; i++) {
        double x = r.xy[2 * i], y = r.xy[2 * i + 1];
        if (!a->nrings && !i)
            a->min_lon = a->max_lon = x, a->min_lat = a->max_lat = y;
        a->min_lon = fmin(a->min_lon, x), a->max_lon = fmax(a->max_lon, x);
        a->min_lat = fmin(a->min_lat, y), a->max_lat = fmax(a->max_lat, y);
    }
    a->rings = xrealloc(a->rings, (a->nrings + 1) * sizeof *a->rings);
    a->rings[a->nrings++] = r;
    return 0;
}

static int add_polygon(struct geo_area *a, const cJSON *rings)
{
    if (!cJSON_IsArray(rings) || !cJSON_GetArraySize(rings))
        return -1;
    const cJSON *ring;
    cJSON_ArrayForEach(ring, rings) if (add_ring(a, ring) < 0) return -1;
    return 0;
}

static struct geo_area *area_of(const cJSON *geometry)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(geometry, "type");
    const cJSON *coords = cJSON_GetObjectItemCaseSensitive(geometry, "coordinates");
    struct geo_area *a = xcalloc(1, sizeof *a);
    int rc = -1;
    if (cJSON_IsString(type) && !strcmp(type->valuestring, "Polygon")) {
        rc = add_polygon(a, coords);
    } else if (cJSON_IsString(type) && !strcmp(type->valuestring, "MultiPolygon") &&
               cJSON_IsArray(coords) && cJSON_GetArraySize(coords)) {
        const cJSON *poly;
        rc = 0;
        cJSON_ArrayForEach(poly, coords) if (add_polygon(a, poly) < 0) rc = -1;
    }
    if (rc < 0) {
        geo_free(a);
        return NULL;
    }
    return a;
}

int geo_read(const char *path, struct diag *d,
             void (*found)(void *ctx, const char *id, struct geo_area *area), void *ctx)
{
    size_t len;
    char *text = slurp(path, &len);
    if (!text) {
        diag_error(d, path, 0, "cannot read the district map: %s", strerror(errno));
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(root, "features");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "FeatureCollection") != 0 ||
        !cJSON_IsArray(features)) {
        diag_error(d, path, 0, "the district map must be a GeoJSON FeatureCollection");
        cJSON_Delete(root);
        return -1;
    }
    int n = 0, rc = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, features)
    {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(props, "id");
        struct geo_area *a = area_of(cJSON_GetObjectItemCaseSensitive(f, "geometry"));
        if (!cJSON_IsString(id) || !a) {
            diag_error(d, path, 0,
                       "feature %d: want properties.id (a district id) and a Polygon or "
                       "MultiPolygon of closed rings of [longitude, latitude]",
                       n + 1);
            geo_free(a);
            rc = -1;
        } else {
            found(ctx, id->valuestring, a);
        }
        n++;
    }
    cJSON_Delete(root);
    return rc < 0 ? -1 : n;
}

static int ring_crossings(const struct ring *r, double x, double y)
{
    int inside = 0;
    for (size_t i = 0, j = r->n - 1; i < r->n; j = i++) {
        double xi = r->xy[2 * i], yi = r->xy[2 * i + 1];
        double xj = r->xy[2 * j], yj = r->xy[2 * j + 1];
        if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
            inside = !inside;
    }
    return inside;
}

int geo_contains(const struct geo_area *a, double lat, double lon)
{
    if (!a || lon < a->min_lon || lon > a->max_lon || lat < a->min_lat || lat > a->max_lat)
        return 0;
    int inside = 0;
    for (size_t i = 0; i < a->nrings; i++)
        inside ^= ring_crossings(&a->rings[i], lon, lat);
    return inside;
}

void geo_free(struct geo_area *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->nrings; i++)
        free(a->rings[i].xy);
    free(a->rings);
    free(a);
}
