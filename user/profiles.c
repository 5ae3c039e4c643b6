// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The profiles: which events answer a question, curated from the audit
 * events table (docs.python.org/3/library/audit_events.html, 3.8-3.15,
 * and user/event_table.c). Each is a list of -e patterns: a profile
 * combines with -e (more events) and -x (fewer; -x wins).
 *
 * Left out on purpose: the events raised by every import (code.__new__,
 * marshal.loads, the exec of each module's code) except in the code and
 * imports profiles, which exist to see them.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include "argfilter.h"
#include "event_table.h"
#include "profiles.h"

/* Commands and processes: what runs a program or signals one. */
#define EXEC_EVENTS							\
	"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",\
	"os.forkpty", "subprocess.Popen", "_posixsubprocess.fork_exec",	\
	"pty.spawn", "os.startfile", "os.startfile/2", "os.kill",	\
	"os.killpg", "signal.pthread_kill", "_winapi.CreateProcess",	\
	"_winapi.TerminateProcess", "webbrowser.open"

static const char *const exec_p[] = { EXEC_EVENTS, NULL };

static const char *const network_p[] = {
	"socket.*", "http.client.*", "urllib.Request", "ftplib.*",
	"imaplib.*", "nntplib.*", "poplib.*", "smtplib.*", "telnetlib.*",
	NULL
};

static const char *const files_p[] = {
	"open", "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod",
	"os.chown", "os.chflags", "os.link", "os.symlink", "os.truncate",
	"os.utime", "os.setxattr", "os.removexattr", "os.getxattr",
	"os.listxattr", "os.chdir", "os.listdir", "os.scandir", "os.walk",
	"os.fwalk", "glob.glob", "glob.glob/2", "pathlib.Path.*", "shutil.*",
	"tempfile.*", "fcntl.*", "os.lockf", "mmap.__new__", NULL
};

static const char *const imports_p[] = {
	"import", "ctypes.dlopen", "sqlite3.load_extension",
	"sqlite3.enable_load_extension", "os.add_dll_directory",
	"ensurepip.bootstrap", "setopencodehook", NULL
};

static const char *const code_p[] = {
	"compile", "exec", "marshal.*", "pickle.find_class", "code.__new__",
	"function.__new__", "cpython.run_*", NULL
};

/*
 * What an incident responder wants on by default (the systemd unit):
 * commands and processes, network connections, files written or deleted,
 * dynamic code and native libraries, remote debugging, audit-hook and
 * environment changes. open() is kept when its mode writes (io.open's
 * raw modes: w, a, x, +) or is None (os.open: the int flags decide,
 * which a glob cannot test bit by bit), and its file is not a
 * descriptor 0-9 (each start opens fds 1 and 2 for writing, sys.stdout
 * and sys.stderr; a one-character file name goes too). exec and compile
 * are kept for code made at run time, whose file name is "<string>" and
 * the like (namedtuple's classes, .pth lines site executes), not for
 * each module an import executes (92 exec events for four imports, 12
 * frozen modules at each start): code compiled under a real file name
 * escapes this profile, -e exec catches it.
 * cpython._PySys_ClearAuditHooks is left out: every interpreter raises
 * it as it exits.
 */
static const char *const security_p[] = {
	EXEC_EVENTS,
	"socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
	"socket.sethostname", "http.client.connect", "urllib.Request",
	"ftplib.connect", "imaplib.open", "nntplib.connect", "poplib.connect",
	"smtplib.connect", "telnetlib.Telnet.open",
	"open:mode=*w*:file!=?", "open:mode=*a*:file!=?",
	"open:mode=*x*:file!=?", "open:mode=*+*:file!=?", "open:mode=None",
	"os.remove", "os.rename", "os.rmdir", "os.chmod", "os.chown",
	"os.chflags", "os.link", "os.symlink", "os.truncate", "os.setxattr",
	"os.removexattr", "shutil.rmtree", "shutil.move", "shutil.chown",
	"shutil.unpack_archive",
	"exec:code_object=<*:code_object!=<frozen *>", "compile:filename=<*>",
	"ctypes.dlopen", "ctypes.dlsym",
	"sqlite3.load_extension", "sqlite3.enable_load_extension",
	"pickle.find_class",
	"sys.remote_exec", "cpython.remote_debugger_script",
	"sys.addaudithook", "setopencodehook",
	"os.putenv", "os.unsetenv", "os._clearenv",
	"resource.setrlimit", "resource.prlimit",
	NULL
};

static const struct profile profiles[] = {
	{ "security", "commands, network connections, files written or "
	  "deleted, dynamic code and native libraries, remote debugging, "
	  "audit-hook and environment changes", security_p },
	{ "exec", "commands run and processes started or signalled", exec_p },
	{ "network", "sockets, name lookups and network clients", network_p },
	{ "files", "files opened, changed, removed and listed", files_p },
	{ "imports", "modules imported and native libraries loaded",
	  imports_p },
	{ "code", "code compiled, executed and deserialised (compile, exec, "
	  "marshal, pickle)", code_p },
};

#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

const struct profile *profile__find(const char *name)
{
	for (size_t i = 0; i < NPROFILES; i++)
		if (!strcmp(profiles[i].name, name))
			return &profiles[i];
	return NULL;
}

size_t profile__count(void)
{
	return NPROFILES;
}

const struct profile *profile__at(size_t i)
{
	return i < NPROFILES ? &profiles[i] : NULL;
}

const char *profile__names(void)
{
	static char names[128];
	size_t used = 0;

	for (size_t i = 0; i < NPROFILES && used < sizeof(names); i++)
		used += snprintf(names + used, sizeof(names) - used, "%s%s",
				 i ? ", " : "", profiles[i].name);
	return names;
}

/* A pattern, then the known events its event glob matches. */
static void list_pattern(FILE *out, const char *pattern)
{
	const char *spec = argfilter__spec(pattern);
	char event[PA_GLOB_LEN];
	size_t n = spec ? (size_t)(spec - 1 - pattern) : strlen(pattern);
	int shown = 0;

	snprintf(event, sizeof(event), "%.*s", (int)n, pattern);
	fprintf(out, "  %s", pattern);
	if (strpbrk(event, "*?")) {
		for (size_t i = 0; i < event_table_count(); i++) {
			const char *name = event_table_at(i)->name;

			if (fnmatch(event, name, 0))
				continue;
			fprintf(out, "%s%s", shown++ ? " " : ": ", name);
		}
	}
	fputc('\n', out);
}

void profile__list(FILE *out)
{
	for (size_t i = 0; i < NPROFILES; i++) {
		const struct profile *p = &profiles[i];

		fprintf(out, "%s%s: %s\n", i ? "\n" : "", p->name, p->doc);
		for (const char *const *pat = p->patterns; *pat; pat++)
			list_pattern(out, *pat);
	}
}
