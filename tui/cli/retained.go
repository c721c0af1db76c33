package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/tui/actions"
)

// RetainedCmd is `mqdeck retained`: list or clear the retained messages
// under a topic filter, headless.
type RetainedCmd struct {
	List  RetainedListCmd  `cmd:"" help:"Print the retained topics under a filter, one per line."`
	Clear RetainedClearCmd `cmd:"" help:"Clear the retained messages under a filter: an empty retained publish (QoS 1) to each. --dry-run prints what it would clear; without --yes it asks on a terminal and refuses (exit 2) without one."`
}

// retainedFlags are what both subcommands need.
type retainedFlags struct {
	ConnFlags `embed:""`

	Filter string        `arg:"" help:"Topic filter, e.g. home/# or # (# does not cover $SYS/...)." placeholder:"FILTER"`
	Quiet  time.Duration `help:"Stop collecting once no retained message arrived for this long." default:"1s" placeholder:"DURATION"`
}

// RetainedListCmd is `mqdeck retained list FILTER`.
type RetainedListCmd struct {
	retainedFlags `embed:""`
}

// RetainedClearCmd is `mqdeck retained clear FILTER`.
type RetainedClearCmd struct {
	retainedFlags `embed:""`

	DryRun   bool   `name:"dry-run" help:"Print the topics that would be cleared; publish nothing."`
	Yes      bool   `help:"Clear without asking."`
	Audit    string `help:"Append one JSON line per cleared topic and outcome to FILE." type:"path" env:"MQDECK_AUDIT" placeholder:"FILE"`
	Operator string `help:"Name the audit records with each clear (default: $USER)." env:"MQDECK_OPERATOR" placeholder:"NAME"`
}

// Run prints the retained topics, sorted, one per line.
func (c *RetainedListCmd) Run(env *runEnv) error {
	names, err := c.collect(env)
	if err != nil {
		return err
	}
	return printTopics(env.stdout, names)
}

// Run lists, then (after --yes or a yes on the terminal) clears exactly
// the topics listed.
func (c *RetainedClearCmd) Run(env *runEnv) error {
	if c.DryRun && c.Yes {
		return usageError{errors.New("--dry-run and --yes exclude each other")}
	}
	interactive := term.IsTerminal(os.Stdin.Fd()) && term.IsTerminal(os.Stderr.Fd())
	if !c.DryRun && !c.Yes && !interactive {
		return usageError{errors.New("retained clear: no --yes and no terminal to ask on: nothing cleared (--dry-run shows what would be)")}
	}
	var audit *actions.Audit
	if c.Audit != "" && !c.DryRun {
		a, err := actions.OpenAudit(c.Audit, actions.Operator(c.Operator))
		if err != nil {
			return err
		}
		defer a.Close()
		audit = a
	}
	sess, names, err := c.connectAndCollect(env)
	if err != nil {
		return err
	}
	defer sess.client.Close()
	if c.DryRun {
		if err := printTopics(env.stdout, names); err != nil {
			return err
		}
		fmt.Fprintf(env.stderr, "mqdeck: dry run: %d retained topic(s) under %s would be cleared\n", len(names), decode.Safe(c.Filter))
		return nil
	}
	if len(names) == 0 {
		fmt.Fprintf(env.stdout, "cleared 0 retained topics (none under %s)\n", decode.Safe(c.Filter))
		return nil
	}
	if !c.Yes {
		_ = printTopics(env.stderr, names)
		fmt.Fprintf(env.stderr, "Clear these %d retained topic(s)? A cleared retained message cannot be restored. [y/N] ", len(names))
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(env.stderr, "mqdeck: nothing cleared")
			return nil
		}
	}
	// Keep draining what the subscription delivers (the clears come back
	// as empty messages): a full hand-off buffer would hold the read loop,
	// and with it the acknowledgements.
	drainCtx, stopDrain := context.WithCancel(env.ctx)
	defer stopDrain()
	go func() {
		for {
			select {
			case <-drainCtx.Done():
				return
			case _, ok := <-sess.client.Messages():
				if !ok {
					return
				}
			}
		}
	}()
	res, auditErr := actions.ClearRetained(env.ctx, sess.client, names, audit, 10*time.Second)
	fmt.Fprintf(env.stdout, "cleared %d retained topic(s)\n", len(res.Cleared))
	if auditErr != nil {
		fmt.Fprintf(env.stderr, "mqdeck: %v\n", auditErr)
	}
	switch {
	case res.ReadOnly:
		return errors.New("read-only: the transport refused to publish; nothing cleared")
	case len(res.Failed) > 0:
		return fmt.Errorf("%d retained topic(s) not cleared, first %s: %s", len(res.Failed), decode.Safe(res.Failed[0]), decode.Safe(res.Reason))
	case auditErr != nil:
		return auditErr
	}
	return nil
}

func (c *retainedFlags) collect(env *runEnv) ([]string, error) {
	sess, names, err := c.connectAndCollect(env)
	if err != nil {
		return nil, err
	}
	sess.client.Close()
	return names, nil
}

// connectAndCollect subscribes to the filter and gathers the topics the
// broker delivers as retained (non-empty), until none came for Quiet.
func (c *retainedFlags) connectAndCollect(env *runEnv) (*session, []string, error) {
	if c.Quiet <= 0 {
		return nil, nil, usageError{errors.New("--quiet must be positive")}
	}
	if err := checkFilter(c.Filter); err != nil {
		return nil, nil, usageError{err}
	}
	w := warner{env.stderr}
	events := newConnEvents()
	pf := PlatformFlags{Platform: "generic", Topic: []string{c.Filter}}
	sess, err := openSession(env.ctx, &c.ConnFlags, &pf, w, nil, events)
	if err != nil {
		return nil, nil, err
	}
	if err := events.fatal(); err != nil {
		sess.client.Close()
		return nil, nil, err
	}
	seen := map[string]bool{}
	timer := time.NewTimer(c.Quiet)
	defer timer.Stop()
	for {
		select {
		case <-env.ctx.Done():
			sess.client.Close()
			return nil, nil, errors.New("interrupted")
		case <-timer.C:
			names := make([]string, 0, len(seen))
			for n := range seen {
				names = append(names, n)
			}
			sort.Strings(names)
			return sess, names, nil
		case m, ok := <-sess.client.Messages():
			if !ok {
				sess.client.Close()
				return nil, nil, errors.New("the connection ended while collecting")
			}
			if m.Retain && len(m.Payload) > 0 {
				seen[m.Topic] = true
				if !timer.Stop() {
					<-timer.C
				}
				timer.Reset(c.Quiet)
			}
		}
	}
}

// checkFilter refuses what no broker accepts: an empty filter, # not
// last, + or # sharing a level.
func checkFilter(f string) error {
	if f == "" {
		return errors.New("the filter is empty")
	}
	if strings.HasPrefix(f, "$share/") {
		return errors.New("a $share/ filter would take messages from the group: give the plain filter")
	}
	levels := strings.Split(f, "/")
	for i, l := range levels {
		if (strings.Contains(l, "#") && (l != "#" || i != len(levels)-1)) || (strings.Contains(l, "+") && l != "+") {
			return fmt.Errorf("filter %q: + and # take a whole level, # only the last", f)
		}
	}
	return nil
}

// printTopics writes one terminal-safe topic per line.
func printTopics(w io.Writer, names []string) error {
	bw := bufio.NewWriter(w)
	for _, n := range names {
		bw.WriteString(decode.Safe(n))
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("stdout: %w", err)
	}
	return nil
}
