/*
 * Preloaded into Debian 12's linux.uml (6.1) so its guests run on hosts with a large XSAVE area.
 *
 * UML 6.1 keeps each guest task's FPU state in a fixed 832-byte XSAVE image (x87/SSE, header, AVX)
 * and moves it with ptrace(PTRACE_GETREGSET / PTRACE_SETREGSET, NT_X86_XSTATE). A host kernel
 * refuses a SETREGSET that is not exactly its own XSAVE size (EFAULT), so on a CPU with AVX-512 or
 * AMX (sizes of 2.7 KiB to 11 KiB) the first guest process dies and the guest panics.
 *
 * This wrapper gives each of UML's buffers a full-size shadow: a GET fills the shadow from the
 * host and hands UML the first part; a SET lays UML's part over the shadow and sets the whole. The
 * buffer address is stable for a task's life, so each guest task keeps its whole register state
 * (AVX-512 included) across switches. Where the host's size fits UML's buffer, calls pass through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

#define PROBE_SIZE (64 * 1024)
#define SLOTS 4096 /* more guest tasks than a lab guest ever runs at once */

typedef long (*ptrace_fn)(enum __ptrace_request, pid_t, void *, void *);

struct shadow {
  void *owner; /* UML's buffer */
  unsigned char *state; /* host_size bytes */
};

static ptrace_fn real_ptrace;
static size_t host_size; /* 0: not learned yet */
static struct shadow slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static long call_real(enum __ptrace_request request, pid_t pid, void *addr, void *data) {
  if (!real_ptrace) real_ptrace = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
  return real_ptrace(request, pid, addr, data);
}

/* The host's XSAVE size, from a GETREGSET with a buffer larger than any CPU's. */
static int learn_size(pid_t pid) {
  if (host_size) return 0;
  void *probe = malloc(PROBE_SIZE);
  if (!probe) return -1;
  struct iovec iov = {probe, PROBE_SIZE};
  long r = call_real(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &iov);
  free(probe);
  if (r < 0) return -1;
  host_size = iov.iov_len;
  return 0;
}

static struct shadow *find_or_add(void *owner) {
  uintptr_t h = ((uintptr_t)owner >> 4) * 2654435761u;
  for (size_t i = 0; i < SLOTS; i++) {
    struct shadow *s = &slots[(h + i) % SLOTS];
    if (s->owner == owner) return s;
    if (s->owner == NULL) {
      s->state = calloc(1, host_size);
      if (!s->state) return NULL;
      s->owner = owner;
      return s;
    }
  }
  return NULL;
}

/*
 * The shadow of UML's buffer, made on first use (open addressing on the buffer's address). Buffers of
 * tasks that ended are never told apart from live ones; should the table ever fill up, it starts over
 * (each task then loses only the part of its state beyond UML's image, once) rather than fail.
 */
static struct shadow *shadow_of(void *owner) {
  struct shadow *s = find_or_add(owner);
  if (s) return s;
  for (size_t i = 0; i < SLOTS; i++) free(slots[i].state);
  memset(slots, 0, sizeof slots);
  return find_or_add(owner);
}

static long xstate(enum __ptrace_request request, pid_t pid, struct iovec *uml) {
  if (learn_size(pid) < 0 || uml->iov_len >= host_size) return call_real(request, pid, (void *)NT_X86_XSTATE, uml);
  struct shadow *s = shadow_of(uml->iov_base);
  if (!s) {
    errno = ENOMEM;
    return -1;
  }
  struct iovec whole = {s->state, host_size};
  if (request == PTRACE_GETREGSET) {
    long r = call_real(PTRACE_GETREGSET, pid, (void *)NT_X86_XSTATE, &whole);
    if (r == 0) memcpy(uml->iov_base, s->state, uml->iov_len);
    return r;
  }
  memcpy(s->state, uml->iov_base, uml->iov_len);
  return call_real(PTRACE_SETREGSET, pid, (void *)NT_X86_XSTATE, &whole);
}

long ptrace(enum __ptrace_request request, ...) {
  va_list ap;
  va_start(ap, request);
  pid_t pid = va_arg(ap, pid_t);
  void *addr = va_arg(ap, void *);
  void *data = va_arg(ap, void *);
  va_end(ap);
  if ((request == PTRACE_GETREGSET || request == PTRACE_SETREGSET) && (uintptr_t)addr == NT_X86_XSTATE && data) {
    pthread_mutex_lock(&lock);
    long r = xstate(request, pid, (struct iovec *)data);
    pthread_mutex_unlock(&lock);
    return r;
  }
  return call_real(request, pid, addr, data);
}
