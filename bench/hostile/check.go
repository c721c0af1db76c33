package hostile

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

// CheckScreen looks for text an executed escape would have placed: a
// marker at the start of a line or after a blank (cursor moves, carriage
// returns). On a safe screen every marker follows the visible remains of
// its sequence, or starts the continuation of a value wrapped at its
// pane's edge (the row above runs up to that pane's border).
func CheckScreen(screen string) []string {
	var problems []string
	lines := strings.Split(screen, "\n")
	for n, line := range lines {
		row := []rune(line)
		for i := 0; i+len(Marker) <= len(row); i++ {
			if string(row[i:i+len(Marker)]) != Marker {
				continue
			}
			if i > 0 && row[i-1] != ' ' {
				continue
			}
			if n > 0 && wrapped(row, []rune(lines[n-1]), i) {
				continue
			}
			problems = append(problems, fmt.Sprintf("line %d: %q stands alone (an executed cursor move or carriage return?): %q", n+1, Marker, line))
		}
	}
	return problems
}

// wrapped reports whether the text at column i of row continues a value
// from the row above: i sits just after a pane border plus blanks, and the
// row above is filled up to the border that closes the same pane.
func wrapped(row, above []rune, i int) bool {
	isBorder := func(r rune) bool { return r == '│' || r == '┃' }
	j := i - 1
	for j >= 0 && row[j] == ' ' {
		j--
	}
	if j < 0 || !isBorder(row[j]) {
		return false
	}
	e := i
	for e < len(row) && !isBorder(row[e]) {
		e++
	}
	return e < len(row) && e-1 < len(above) && e < len(above) && isBorder(above[e]) && above[e-1] != ' '
}

// CheckRaw scans the byte stream the console wrote to its terminal for a
// sequence from Escapes passed through as is (it would be followed by its
// marker), a title or hyperlink sequence carrying the sweep's text, and C1
// control characters.
func CheckRaw(raw []byte) []string {
	var problems []string
	for i, e := range Escapes() {
		seq := e.Seq
		if seq == "\r" || strings.HasPrefix(seq, "\x1b[") && strings.HasSuffix(seq, "m") {
			// The renderer writes CRs and colours of its own; the marker
			// check on the screen covers these.
			continue
		}
		if bytes.Contains(raw, []byte(seq+fmt.Sprintf("%s%02d", Marker, i))) {
			problems = append(problems, fmt.Sprintf("%s (%q) reached the terminal raw", e.Name, seq))
		}
	}
	for _, bad := range []string{"\x1b]2;" + Title, "\x1b]0;" + Title, "\x1b]8;;http://x.invalid"} {
		if bytes.Contains(raw, []byte(bad)) {
			problems = append(problems, fmt.Sprintf("%q reached the terminal", bad))
		}
	}
	for rest := raw; len(rest) > 0; {
		r, size := utf8.DecodeRune(rest)
		if r >= 0x80 && r <= 0x9f && size > 1 {
			problems = append(problems, fmt.Sprintf("C1 control U+%04X reached the terminal", r))
			break
		}
		rest = rest[size:]
	}
	return problems
}

// Console is a console under tmux as the sweep watches it.
type Console struct {
	Tmux    Tmux
	Title   string // the pane title before the sweep
	Alt     bool   // whether it used the alternate screen before the sweep
	RawPath string // pipe-pane output, "" when not recorded
	// Expect is text the console's own frame always shows (e.g. its status
	// bar); a screen without it was cleared or taken over.
	Expect string
}

// Watch records the console's state before the sweep. expect is text its
// frame always shows.
func Watch(t Tmux, rawPath, expect string) (*Console, error) {
	title, err := t.Title()
	if err != nil {
		return nil, err
	}
	alt, err := t.AltScreen()
	if err != nil {
		return nil, err
	}
	if rawPath != "" {
		// Created here: pipe-pane starts its command asynchronously.
		if err := os.WriteFile(rawPath, nil, 0o600); err != nil {
			return nil, fmt.Errorf("raw output: %w", err)
		}
		if err := t.PipeTo(rawPath); err != nil {
			return nil, err
		}
	}
	return &Console{Tmux: t, Title: title, Alt: alt, RawPath: rawPath, Expect: expect}, nil
}

// Check returns every sign of harm now, and the console's RSS in kB.
func (c *Console) Check() (problems []string, rssKB int, err error) {
	dead, status, err := c.Tmux.Dead()
	if err != nil {
		return nil, 0, err
	}
	if dead {
		screen, _ := c.Tmux.Capture()
		return []string{fmt.Sprintf("the console ended (status %s); last screen:\n%s", status, screen)}, 0, nil
	}
	if pid, err := c.Tmux.PID(); err == nil {
		rssKB, _ = RSSKB(pid)
	}
	if title, err := c.Tmux.Title(); err != nil || title != c.Title {
		problems = append(problems, fmt.Sprintf("pane title is %q, was %q", title, c.Title))
	}
	if alt, err := c.Tmux.AltScreen(); err != nil || alt != c.Alt {
		problems = append(problems, fmt.Sprintf("alternate screen is %t, was %t", alt, c.Alt))
	}
	screen, err := c.Tmux.Capture()
	if err != nil {
		return nil, rssKB, err
	}
	problems = append(problems, CheckScreen(screen)...)
	if c.Expect != "" && !strings.Contains(screen, c.Expect) {
		problems = append(problems, fmt.Sprintf("the console's frame (%q) is gone:\n%s", c.Expect, screen))
	}
	if c.RawPath != "" {
		raw, err := os.ReadFile(c.RawPath)
		if err != nil {
			return nil, rssKB, fmt.Errorf("raw output: %w", err)
		}
		problems = append(problems, CheckRaw(raw)...)
	}
	return problems, rssKB, nil
}
