/*
 * intake_types - what intake's checks return, for the front (intake.h) and for the files
 * that make the checks, which must not see intake_validate: they are below it.
 */
#ifndef OH_INTAKE_TYPES_H
#define OH_INTAKE_TYPES_H

/* What intake_validate and every check it is made of return. */
#define INTAKE_OK 0
#define INTAKE_MALFORMED (-1)   /* answer 400: wrong type, missing, unknown or out-of-range */
#define INTAKE_IMPOSSIBLE (-2)  /* answer 422: well-formed but semantically impossible */

#endif
