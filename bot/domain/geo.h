/*
 * geo: district boundaries from a GeoJSON file, and which one holds a pin.
 *
 * The file is a FeatureCollection (RFC 7946) whose features carry the
 * district's id in `properties.id` and a Polygon or MultiPolygon geometry,
 * coordinates as [longitude, latitude].  A point is inside an area when a ray
 * from it crosses the area's rings an odd number of times, so holes and
 * several parts need no special case.
 */
#ifndef TYNDAU_GEO_H
#define TYNDAU_GEO_H

#include <stddef.h>

#include "bot/lib/diag.h"

struct geo_area;

/*
 * Reads path; calls found(ctx, id, area) for each feature, handing area over.
 * Returns the number of features, -1 on an error (said in d against path).
 */
int geo_read(const char *path, struct diag *d,
             void (*found)(void *ctx, const char *id, struct geo_area *area), void *ctx);
int geo_contains(const struct geo_area *a, double lat, double lon);
void geo_free(struct geo_area *a);

#endif
