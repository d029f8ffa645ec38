/*
 * finish.h - the exit dump (finish.c).
 */
#ifndef LIBLEAK_FINISH_H
#define LIBLEAK_FINISH_H

/* The exit dump, once per process: from the last exit handler, or from
 * _exit()/_Exit(). A thread that finds another one dumping parks (the
 * dumper ends the process); a vfork child and a state other than ACTIVE
 * return at once. */
void finish_dump(void);

/* In a fork child (pthread_atfork's child handler): the process is new,
 * the address map's half-written slots are repaired. */
void finish_fork_child(void);

#endif /* LIBLEAK_FINISH_H */
