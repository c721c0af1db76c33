package creds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
	"unicode"
)

// DefaultCommandTimeout bounds a token command that gives no answer.
const DefaultCommandTimeout = 10 * time.Second

// waitDelay bounds the wait for a killed command's children that still hold
// its output open (a shell script whose curl outlives it).
const waitDelay = 2 * time.Second

// maxStderr is how much of a failed command's stderr is shown.
const maxStderr = 300

// Command runs line before every connection attempt and takes the first
// line of its standard output as the secret. No shell is involved: line is
// split into words at spaces, '...' quotes literally, "..." quotes with \"
// and \\ escapes, and a backslash outside quotes escapes the next character.
// Whoever needs pipes writes sh -c '...'. timeout <= 0 means
// DefaultCommandTimeout.
func Command(flag, line string, timeout time.Duration) (Source, error) {
	argv, err := SplitArgs(line)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("%s: empty command", flag)
	}
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	return &commandSource{flag: flag, argv: argv, timeout: timeout}, nil
}

type commandSource struct {
	flag    string
	argv    []string
	timeout time.Duration
}

// Name shows the program only: arguments may carry a client id or worse.
func (c *commandSource) Name() string { return c.flag + " (" + c.argv[0] + ")" }

func (c *commandSource) Read(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.argv[0], c.argv[1:]...)
	cmd.WaitDelay = waitDelay
	ownGroup(cmd)
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = maxFile, maxFile
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return "", fmt.Errorf("%s: %s gave no token within %s%s", c.flag, c.argv[0], c.timeout, stderrTail(stderr.Bytes()))
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s: %w", c.flag, ctx.Err())
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("%s: %s exited with %s%s", c.flag, c.argv[0], exitStatus(ee), stderrTail(stderr.Bytes()))
		}
		return "", fmt.Errorf("%s: %w", c.flag, err) // not found, not executable: names the program only
	}
	tok := strings.TrimSpace(firstLine(stdout.Bytes()))
	if tok == "" {
		return "", fmt.Errorf("%s: %s printed no token (its first line of output is empty)%s", c.flag, c.argv[0], stderrTail(stderr.Bytes()))
	}
	return tok, nil
}

func exitStatus(ee *exec.ExitError) string {
	if code := ee.ExitCode(); code >= 0 {
		return fmt.Sprintf("status %d", code)
	}
	return ee.String() // "signal: killed"
}

// stderrTail is the command's last stderr line, one line, bounded: the
// part that usually says why ("error: not logged in").
func stderrTail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last == "" {
		return ""
	}
	last = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, last)
	if len(last) > maxStderr {
		last = last[:maxStderr] + "…"
	}
	return ": " + last
}

// limitedBuffer keeps the first max bytes and discards the rest, so a
// chatty command neither blocks nor grows memory.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.Len(); room > 0 {
		l.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// SplitArgs splits a command line into words without a shell (see Command).
func SplitArgs(line string) ([]string, error) {
	var (
		words []string
		cur   strings.Builder
		in    bool // inside a word
	)
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == '\'':
			in = true
			end := indexRune(rs, i+1, '\'')
			if end < 0 {
				return nil, errors.New("unterminated ' quote")
			}
			cur.WriteString(string(rs[i+1 : end]))
			i = end
		case r == '"':
			in = true
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && (rs[j+1] == '"' || rs[j+1] == '\\') {
					j++
				}
				cur.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, errors.New(`unterminated " quote`)
			}
			i = j
		case r == '\\':
			if i+1 >= len(rs) {
				return nil, errors.New("a backslash ends the command")
			}
			in = true
			i++
			cur.WriteRune(rs[i])
		case unicode.IsSpace(r):
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			in = true
			cur.WriteRune(r)
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words, nil
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}
