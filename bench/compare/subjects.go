package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/bench/benchkit"
)

const slug = benchkit.Slug

// subject is one subscriber under test.
type subject struct {
	name string
	id   string // for client ids and file names
	// start launches it subscribed as clientID, to receive n messages.
	start func(e *runEnv, clientID string) (proc, error)
}

// proc is a running subscriber.
type proc interface {
	// wait returns when it has received everything, with the moment it
	// ended and a note (e.g. the console's drop count).
	wait(deadline time.Time) (end time.Time, note string, err error)
	kill()
}

type runEnv struct {
	o       options
	dir     string
	broker  *benchkit.Mosquitto
	streams [][]byte
	filters []string
	tmux    benchkit.Tmux
}

type result struct {
	elapsed, published time.Duration
	note               string
}

// runOne starts a subscriber, waits until the broker has its
// subscriptions, floods, and times until the subscriber has everything.
func (e *runEnv) runOne(s subject, clientID string) (result, error) {
	ctx, cancel := e.withTimeout()
	defer cancel()
	e.broker.ResetSubscribed(clientID)
	bl, err := benchkit.Dial(ctx, e.broker.Addr(), clientID+"-pub", len(e.streams))
	if err != nil {
		return result{}, err
	}
	defer bl.Close()
	p, err := s.start(e, clientID)
	if err != nil {
		return result{}, err
	}
	defer p.kill()
	if err := e.broker.WaitSubscribed(ctx, clientID, len(e.filters)); err != nil {
		return result{}, err
	}
	t0 := time.Now()
	if err := bl.Send(e.streams); err != nil {
		return result{}, err
	}
	published := time.Since(t0)
	dl, _ := ctx.Deadline()
	end, note, err := p.wait(dl)
	if err != nil {
		return result{}, err
	}
	return result{elapsed: end.Sub(t0), published: published, note: note}, nil
}

// execProc is a child process writing to /dev/null.
type execProc struct {
	cmd  *exec.Cmd
	done chan error
	end  time.Time
	errb *strings.Builder
}

func startExec(name string, args ...string) (proc, error) {
	cmd := exec.Command(name, args...)
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	cmd.Stdout = devnull
	errb := &strings.Builder{}
	cmd.Stderr = errb
	if err := cmd.Start(); err != nil {
		devnull.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := &execProc{cmd: cmd, done: make(chan error, 1), errb: errb}
	go func() {
		err := cmd.Wait()
		p.end = time.Now()
		devnull.Close()
		p.done <- err
	}()
	return p, nil
}

func (p *execProc) wait(deadline time.Time) (time.Time, string, error) {
	select {
	case err := <-p.done:
		if err != nil {
			return time.Time{}, "", fmt.Errorf("%v: %s", err, strings.TrimSpace(p.errb.String()))
		}
		return p.end, "", nil
	case <-time.After(time.Until(deadline)):
		return time.Time{}, "", errors.New("timed out before receiving everything")
	}
}

func (p *execProc) kill() { _ = p.cmd.Process.Kill() }

// tmuxProc is the console in a 120x40 pane; the shell writes the end time
// (ns since the epoch) to a file the moment the console exits.
type tmuxProc struct {
	e                *runEnv
	name, doneFile   string
	summary, errFile string
	readNote         func(summary, stderr string) (string, error)
}

var summaryRE = regexp.MustCompile(`dropped[= ](\d+)`)

func startTmux(e *runEnv, clientID, shellCmd string, readNote func(summary, stderr string) (string, error)) (proc, error) {
	p := &tmuxProc{e: e, name: clientID, doneFile: filepath.Join(e.dir, clientID+".done"),
		summary: filepath.Join(e.dir, clientID+".summary"), errFile: filepath.Join(e.dir, clientID+".err"), readNote: readNote}
	full := fmt.Sprintf("%s 2>%s; echo \"$? $(date +%%s%%N)\" > %s", shellCmd, p.errFile, p.doneFile)
	full = strings.ReplaceAll(full, "{summary}", p.summary)
	if err := e.tmux.NewSession(p.name, 120, 40, full); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *tmuxProc) wait(deadline time.Time) (time.Time, string, error) {
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(p.doneFile)
		if err == nil && len(b) > 0 && b[len(b)-1] == '\n' {
			rc, at, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
			ns, err := strconv.ParseInt(at, 10, 64)
			if err != nil {
				return time.Time{}, "", fmt.Errorf("done file: %w", err)
			}
			sum, _ := os.ReadFile(p.summary)
			stderr, _ := os.ReadFile(p.errFile)
			if rc != "0" {
				return time.Time{}, "", fmt.Errorf("console exited %s: %s", rc, strings.TrimSpace(string(stderr)))
			}
			note, err := p.readNote(string(sum), string(stderr))
			return time.Unix(0, ns), note, err
		}
		time.Sleep(5 * time.Millisecond)
	}
	screen, _ := p.e.tmux.Capture(p.name)
	return time.Time{}, "", fmt.Errorf("timed out; screen:\n%s", screen)
}

func (p *tmuxProc) kill() { _, _ = p.e.tmux.Run("kill-session", "-t", p.name) }

// consoleNote reads the drop count the console reported on exit.
func consoleNote(summary, stderr string) (string, error) {
	text := summary + "\n" + stderr
	m := summaryRE.FindStringSubmatch(text)
	if m == nil {
		return "", fmt.Errorf("the console did not report its drop count: %q", strings.TrimSpace(text))
	}
	if strings.Contains(summary, "reached=false") {
		return "", fmt.Errorf("the console exited before applying everything: %s", strings.TrimSpace(summary))
	}
	return "dropped=" + m[1], nil
}

func mosquittoSub(filters []string) subject {
	return subject{name: "mosquitto_sub", id: "mosquitto_sub", start: func(e *runEnv, id string) (proc, error) {
		args := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(e.broker.Port), "-V", "5", "-i", id, "-C", strconv.Itoa(e.o.n)}
		for _, f := range filters {
			args = append(args, "-t", f)
		}
		return startExec("mosquitto_sub", args...)
	}}
}

func nodeSub(script string, filters []string) subject {
	return subject{name: "node mqtt", id: "node", start: func(e *runEnv, id string) (proc, error) {
		args := []string{script, e.broker.URL(), id, strconv.Itoa(e.o.n)}
		return startExec("node", append(args, filters...)...)
	}}
}

func mqdeckLog(bin string) subject {
	return subject{name: "mqdeck log", id: "log", start: func(e *runEnv, id string) (proc, error) {
		return startExec(bin, "log", "--broker", e.broker.URL(), "--platform", "drivr", "--slug", slug,
			"--client-id", id, "-n", strconv.Itoa(e.o.n))
	}}
}

// console runs cmdline (a console that takes the connection flags and
// --exit-after) in tmux.
func console(name, id, cmdline string) subject {
	return subject{name: name, id: id, start: func(e *runEnv, id string) (proc, error) {
		sh := fmt.Sprintf("%s --broker %s --platform drivr --slug %s --client-id %s --exit-after %d",
			cmdline, e.broker.URL(), slug, id, e.o.n)
		return startTmux(e, id, sh, consoleNote)
	}}
}
