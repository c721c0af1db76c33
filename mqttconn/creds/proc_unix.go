//go:build unix

package creds

import (
	"os/exec"
	"syscall"
)

// ownGroup puts the command in its own process group and makes the
// timeout kill the whole group: a script's curl must not outlive it.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
