/* array.h: ARRAY_LEN, the number of elements of an array. */
#ifndef VMM_LIB_ARRAY_H
#define VMM_LIB_ARRAY_H

/* Given a pointer instead (an array parameter is one), -Wsizeof-pointer-div, in -Wall, refuses it. */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
