/*
 * gobject_thing.c - a leak-free GObject program: a type of its own
 * (G_DEFINE_TYPE), one instance made and released. GLib's type system
 * allocates in its constructor, before libleak's; the program registers
 * its type into those tables. Expected (both tools): nothing lost.
 */
#include <glib-object.h>

#define THING_TYPE (thing_get_type())
G_DECLARE_FINAL_TYPE(Thing, thing, THING, OBJECT, GObject)

struct _Thing {
	GObject parent;
	char *name;
};

G_DEFINE_TYPE(Thing, thing, G_TYPE_OBJECT)

static void
thing_finalize(GObject *o)
{
	g_free(THING_OBJECT(o)->name);
	G_OBJECT_CLASS(thing_parent_class)->finalize(o);
}

static void
thing_class_init(ThingClass *k)
{
	G_OBJECT_CLASS(k)->finalize = thing_finalize;
}

static void
thing_init(Thing *t)
{
	t->name = g_strdup("thing");
}

int
main(void)
{
	Thing *t = g_object_new(THING_TYPE, NULL);

	g_print("%s made\n", t->name);
	g_object_unref(t);
	return 0;
}
