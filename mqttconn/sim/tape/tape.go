// Package tape reads vhs tapes (demo.tape) and plays them in tmux, so a
// test can check that what a recorded demo shows is still what the program
// does. vhs itself needs a browser and ffmpeg; tmux is enough to type the
// same keys into a terminal of the same size and read the screen.
//
// Besides the vhs commands, a comment of the form
//
//	# expect: <regular expression>
//
// says what the screen must show at that point (vhs ignores it). The
// player polls the screen until it matches or the wait runs out.
package tape

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is what a step does.
type Kind int

const (
	Output     Kind = iota // Output <file>
	Require                // Require <program>
	Set                    // Set <Name> <value>
	Type                   // Type[@speed] "text"
	Key                    // Enter, Up, Ctrl+C, ... with a repeat count
	Sleep                  // Sleep <duration>
	Hide                   // stop recording (commands still run)
	Show                   // record again
	Wait                   // Wait[+Screen][@timeout] /regex/
	Expect                 // # expect: <regex> (ours)
	Screenshot             // Screenshot <file>: nothing to replay
	Env                    // Env <name> <value>
)

// Step is one command of a tape.
type Step struct {
	Line   int
	Kind   Kind
	Name   string         // Set's setting; Key's vhs name (Enter, Ctrl+C, ...)
	Text   string         // Type's text; Output/Require/Set/Env value
	Keys   []string       // Key: the tmux key names to send
	Repeat int            // Key: how many times
	Delay  time.Duration  // Sleep's duration; Type/Key per-press delay (@); Wait timeout
	Re     *regexp.Regexp // Expect, Wait
}

// Tape is a parsed tape.
type Tape struct {
	Steps    []Step
	Settings map[string]string // last value of each Set
	Output   string
}

// vhs defaults used to work out the terminal size and typing speed.
const (
	defaultWidth       = 1200
	defaultHeight      = 600
	defaultFontSize    = 22
	defaultPadding     = 60
	defaultLineHeight  = 1.0
	defaultTypingSpeed = 50 * time.Millisecond
	// charWidth is the advance of vhs's default font (JetBrains Mono) in
	// ems: 600 units of 1000.
	charWidth = 0.6
)

// keyName maps a vhs key command to its tmux send-keys name.
func keyName(vhs string) (string, bool) {
	switch vhs {
	case "Enter", "Up", "Down", "Left", "Right", "Tab", "Space", "Escape", "Home", "End":
		return vhs, true
	case "Backspace":
		return "BSpace", true
	case "Delete":
		return "DC", true
	case "Insert":
		return "IC", true
	case "PageUp":
		return "PPage", true
	case "PageDown":
		return "NPage", true
	}
	return "", false
}

// Parse reads a tape. Unknown commands are errors, so a typo in the tape
// fails its test rather than being skipped.
func Parse(r io.Reader) (*Tape, error) {
	t := &Tape{Settings: map[string]string{}}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			body := strings.TrimSpace(strings.TrimPrefix(line, "#"))
			if rest, ok := strings.CutPrefix(body, "expect:"); ok {
				re, err := regexp.Compile(strings.TrimSpace(rest))
				if err != nil {
					return nil, fmt.Errorf("tape line %d: expect: %w", n, err)
				}
				t.Steps = append(t.Steps, Step{Line: n, Kind: Expect, Re: re})
			}
			continue
		}
		st, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("tape line %d: %w", n, err)
		}
		st.Line = n
		switch st.Kind {
		case Set:
			t.Settings[st.Name] = st.Text
		case Output:
			t.Output = st.Text
		}
		t.Steps = append(t.Steps, st)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tape: %w", err)
	}
	return t, nil
}

func parseLine(line string) (Step, error) {
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	cmd, at, hasAt := strings.Cut(word, "@")
	var delay time.Duration
	if hasAt {
		d, err := parseDuration(at)
		if err != nil {
			return Step{}, fmt.Errorf("%s@%s: %w", cmd, at, err)
		}
		delay = d
	}
	switch cmd {
	case "Output", "Require", "Screenshot":
		if rest == "" {
			return Step{}, fmt.Errorf("%s needs an argument", cmd)
		}
		k := map[string]Kind{"Output": Output, "Require": Require, "Screenshot": Screenshot}[cmd]
		return Step{Kind: k, Text: unquote(rest)}, nil
	case "Set":
		name, val, ok := strings.Cut(rest, " ")
		if !ok {
			return Step{}, fmt.Errorf("command Set needs a name and a value")
		}
		return Step{Kind: Set, Name: name, Text: unquote(strings.TrimSpace(val))}, nil
	case "Env":
		name, val, ok := strings.Cut(rest, " ")
		if !ok {
			return Step{}, fmt.Errorf("command Env needs a name and a value")
		}
		return Step{Kind: Env, Name: name, Text: unquote(strings.TrimSpace(val))}, nil
	case "Type":
		text, err := quoted(rest)
		if err != nil {
			return Step{}, fmt.Errorf("command Type: %w", err)
		}
		return Step{Kind: Type, Text: text, Delay: delay}, nil
	case "Sleep":
		d, err := parseDuration(rest)
		if err != nil {
			return Step{}, fmt.Errorf("command Sleep: %w", err)
		}
		return Step{Kind: Sleep, Delay: d}, nil
	case "Hide":
		return Step{Kind: Hide}, nil
	case "Show":
		return Step{Kind: Show}, nil
	case "Wait", "Wait+Screen", "Wait+Line":
		re := regexp.MustCompile(`\$$`) // vhs waits for a prompt by default
		if rest != "" {
			if len(rest) < 2 || rest[0] != '/' || rest[len(rest)-1] != '/' {
				return Step{}, fmt.Errorf("command Wait: want /regex/, got %s", rest)
			}
			var err error
			if re, err = regexp.Compile(rest[1 : len(rest)-1]); err != nil {
				return Step{}, fmt.Errorf("command Wait: %w", err)
			}
		}
		if delay == 0 {
			delay = 15 * time.Second
		}
		return Step{Kind: Wait, Name: cmd, Re: re, Delay: delay}, nil
	}
	keys, err := tmuxKeys(cmd)
	if err != nil {
		return Step{}, err
	}
	st := Step{Kind: Key, Name: cmd, Keys: keys, Repeat: 1, Delay: delay}
	if rest != "" {
		n, err := strconv.Atoi(rest)
		if err != nil || n < 1 {
			return Step{}, fmt.Errorf("%s: repeat count %q", cmd, rest)
		}
		st.Repeat = n
	}
	return st, nil
}

// tmuxKeys maps a vhs key (Enter, Ctrl+C, Alt+Enter, Shift+Tab, Ctrl+Alt+x)
// to tmux send-keys arguments.
func tmuxKeys(name string) ([]string, error) {
	if k, ok := keyName(name); ok {
		return []string{k}, nil
	}
	parts := strings.Split(name, "+")
	if len(parts) < 2 {
		return nil, fmt.Errorf("unknown command %q", name)
	}
	base := parts[len(parts)-1]
	var prefix string
	shift := false
	for _, m := range parts[:len(parts)-1] {
		switch m {
		case "Ctrl":
			prefix += "C-"
		case "Alt":
			prefix += "M-"
		case "Shift":
			shift = true
		default:
			return nil, fmt.Errorf("unknown modifier %q in %q", m, name)
		}
	}
	k, named := keyName(base)
	switch {
	case shift && base == "Tab" && prefix == "":
		return []string{"BTab"}, nil
	case named:
		if shift {
			prefix += "S-"
		}
		return []string{prefix + k}, nil
	case len(base) == 1:
		c := base
		if shift {
			c = strings.ToUpper(c)
		} else if prefix != "" {
			c = strings.ToLower(c)
		}
		return []string{prefix + c}, nil
	}
	return nil, fmt.Errorf("unknown key %q in %q", base, name)
}

// parseDuration reads vhs times: 500ms, 2s, 1m, or a bare number of seconds.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) {
		return 0, fmt.Errorf("duration %q", s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// quoted reads one "…", '…' or `…` string (vhs's Type argument).
func quoted(s string) (string, error) {
	if len(s) < 2 {
		return "", fmt.Errorf("want a quoted string, got %q", s)
	}
	q := s[0]
	if (q != '"' && q != '\'' && q != '`') || s[len(s)-1] != q {
		return "", fmt.Errorf("want a quoted string, got %q", s)
	}
	inner := s[1 : len(s)-1]
	if q == '"' {
		if u, err := strconv.Unquote(s); err == nil {
			return u, nil
		}
	}
	return inner, nil
}

func unquote(s string) string {
	if u, err := quoted(s); err == nil {
		return u
	}
	return s
}

func (t *Tape) setting(name string, def float64) float64 {
	if v, ok := t.Settings[name]; ok {
		if f, err := strconv.ParseFloat(strings.TrimSuffix(v, "px"), 64); err == nil && f > 0 {
			return f
		}
	}
	return def
}

// Size is the terminal the tape's settings give, in cells: the pixel size
// less the padding, over the cell size of the font (0.6 em wide, LineHeight
// ems high).
func (t *Tape) Size() (cols, rows int) {
	font := t.setting("FontSize", defaultFontSize)
	pad := t.setting("Padding", defaultPadding)
	w := t.setting("Width", defaultWidth) - 2*pad
	h := t.setting("Height", defaultHeight) - 2*pad
	cols = int(w / (font * charWidth))
	rows = int(h / (font * t.setting("LineHeight", defaultLineHeight)))
	return max(cols, 1), max(rows, 1)
}

// TypingSpeed is the delay between typed characters (Set TypingSpeed).
func (t *Tape) TypingSpeed() time.Duration {
	if v, ok := t.Settings["TypingSpeed"]; ok {
		if d, err := parseDuration(v); err == nil {
			return d
		}
	}
	return defaultTypingSpeed
}

// Duration is how long the tape runs: its sleeps and typing.
func (t *Tape) Duration() time.Duration {
	var d time.Duration
	speed := t.TypingSpeed()
	for _, s := range t.Steps {
		switch s.Kind {
		case Sleep:
			d += s.Delay
		case Type:
			per := speed
			if s.Delay > 0 {
				per = s.Delay
			}
			d += time.Duration(len([]rune(s.Text))) * per
		case Key:
			if s.Delay > 0 {
				d += time.Duration(s.Repeat) * s.Delay
			}
		}
	}
	return d
}
