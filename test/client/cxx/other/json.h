/*
 * json.h — stands in for another library's header of the same name.  An
 * application that uses it and libbigpicture-client must get this file from
 * #include <json.h>, whatever the order of the -I options.
 */
#ifndef OTHER_LIBRARY_JSON_H
#define OTHER_LIBRARY_JSON_H

#define OTHER_LIBRARY_JSON_VERSION 42

static inline int
other_json_version(void)
{
	return OTHER_LIBRARY_JSON_VERSION;
}

#endif
