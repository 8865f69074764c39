// go-init: a minimal container init in Go that switches its root with libpivotshim through cgo,
// for a runtime author to copy (runc is written in Go). The parent re-executes itself in a new
// mount namespace (CLONE_NEWNS at clone, as runc's `runc init` starts); the child calls ps_run, the
// whole switch behind the guard that spares the parent's namespace, marks every fd above 2
// close-on-exec and execs the command. Build (after npm run build:c), from this folder:
//
//	CGO_ENABLED=1 go build -o go-init .
//
// Run as root: ./go-init /srv/rootfs /bin/sh
// Profile runc, strategy pivot; see host/pivotshim.h for the others. test/native-go-example.test.ts
// builds and runs this file.
package main

/*
#cgo CFLAGS: -I${SRCDIR}/../../host -I${SRCDIR}/../../build/c
#cgo LDFLAGS: ${SRCDIR}/../../build/c/libpivotshim.a -lm
#include <stdlib.h>
#include "pivotshim.h"
*/
import "C"

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"
)

// close_range(2): its number is 436 on every architecture (syscalls added since 5.1 share one
// table), and Go 1.19's syscall package does not name it. CLOSE_RANGE_CLOEXEC
// (linux/close_range.h): mark, do not close, so that the Go runtime's own fds (its epoll) stay
// usable until execve drops them.
const (
	sysCloseRange     = 436
	closeRangeCloexec = 4
)

func fail(code int, format string, a ...any) {
	fmt.Fprintf(os.Stderr, "go-init: "+format+"\n", a...)
	os.Exit(code)
}

// child runs in the new mount namespace: the switch, then the command.
func child(guardDev, guardIno uint64, rootfs string, argv []string) {
	runtime.LockOSThread() // one thread drives the machine (host/pivotshim.h: machines are not thread-safe)
	m := C.ps_new()
	if m == nil {
		fail(1, "cannot create the machine")
	}
	croot := C.CString(rootfs)
	defer C.free(unsafe.Pointer(croot))
	var o C.ps_outcome
	r := C.ps_run(m, croot, C.size_t(len(rootfs)), 1 /* runc */, 1 /* pivot */, 0, 0,
		C.ulong(guardDev), C.ulong(guardIno), nil, 0, nil, nil, nil, nil, &o)
	if r != 0 || o.done == 0 {
		msg := "(no run)"
		if o.message.ptr != nil {
			msg = C.GoStringN(o.message.ptr, C.int(o.message.len))
		}
		fail(1, "the switch failed: %s", msg)
	}
	C.ps_free(m)
	// Nothing of the host's may reach the command (the CVE-2024-21626 class).
	if _, _, e := syscall.Syscall(sysCloseRange, 3, ^uintptr(0), closeRangeCloexec); e != 0 {
		fail(1, "close_range: %v", e)
	}
	err := syscall.Exec(argv[0], argv, []string{"PATH=/usr/bin:/bin"})
	fail(127, "exec %s: %v", argv[0], err)
}

func main() {
	if len(os.Args) > 4 && os.Args[1] == "__init" {
		dev, _ := strconv.ParseUint(os.Args[2], 10, 64)
		ino, _ := strconv.ParseUint(os.Args[3], 10, 64)
		child(dev, ino, os.Args[4], os.Args[5:])
	}
	if len(os.Args) < 3 {
		fail(2, "usage: go-init ROOTFS COMMAND [ARG...]")
	}
	var ns syscall.Stat_t
	if err := syscall.Stat("/proc/self/ns/mnt", &ns); err != nil {
		fail(3, "stat /proc/self/ns/mnt: %v", err)
	}
	args := append([]string{"__init", strconv.FormatUint(ns.Dev, 10), strconv.FormatUint(ns.Ino, 10)}, os.Args[1:]...)
	cmd := exec.Command("/proc/self/exe", args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS}
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			os.Exit(ee.ExitCode())
		}
		fail(3, "clone(CLONE_NEWNS): %v", err)
	}
}
