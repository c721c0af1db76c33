package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/themes"
)

// ConnInfo is what the status bar says about the connection. Broker is the
// URL without credentials; the caller strips them.
type ConnInfo struct {
	Broker   string
	Platform string
	Protocol string // requested: "5", "3.1.1", "auto"; the State's wins once connected
	ReadOnly bool
	Insecure bool // TLS verification is off: warned for as long as it runs
	// NoState is said instead of the connection state while none has been
	// reported, e.g. "replay" when the messages come from a file.
	NoState string
}

// Counters are the numbers the status bar shows.
type Counters struct {
	Total   uint64  // messages applied to the store
	Rate    float64 // messages per second, recent
	Dropped uint64  // lost before the pump (transport buffer full)
	Evicted uint64  // pushed out of the store by its caps
	Paused  bool
	New     uint64 // applied since the view was paused
}

// StatusBar is the top line: broker, platform, protocol, connection state in
// words, counters and the warnings that must stay visible.
type StatusBar struct {
	st    themes.Styles
	width int
	conn  ConnInfo
	state mqttconn.State
	known bool // a State has arrived
	count Counters
}

// NewStatusBar builds the bar for a connection.
func NewStatusBar(st themes.Styles, conn ConnInfo) *StatusBar {
	return &StatusBar{st: st, conn: conn}
}

// SetStyles switches the theme.
func (s *StatusBar) SetStyles(st themes.Styles) { s.st = st }

// SetSize sets the width; the bar is always one line.
func (s *StatusBar) SetSize(w int) { s.width = w }

// SetState records a connection state change.
func (s *StatusBar) SetState(st mqttconn.State) { s.state, s.known = st, true }

// SetCounters records the latest numbers.
func (s *StatusBar) SetCounters(c Counters) { s.count = c }

// StateWords says the connection state in words; the glyph only helps.
func StateWords(st mqttconn.State, known bool) (glyph, words string, kind mqttconn.StateKind) {
	if !known {
		return "○", "connecting", mqttconn.StateConnecting
	}
	switch st.Kind {
	case mqttconn.StateConnected:
		w := "connected"
		if st.Protocol != "" {
			w += " (MQTT " + safe(st.Protocol) + ")"
		}
		return "●", w, st.Kind
	case mqttconn.StateReconnecting:
		w := "reconnecting"
		if st.RetryIn > 0 {
			w += " in " + st.RetryIn.Round(time.Second).String()
		}
		if st.Err != nil {
			w += ": " + safe(st.Err.Error())
		}
		return "◌", w, st.Kind
	case mqttconn.StateStopped:
		w := "stopped"
		if st.Err != nil {
			w += ": " + safe(st.Err.Error())
		}
		return "✕", w, st.Kind
	}
	w := "connecting"
	if st.Attempt > 1 {
		w += fmt.Sprintf(" (attempt %d)", st.Attempt)
	}
	return "○", w, mqttconn.StateConnecting
}

// segment is one piece of the bar; low-priority ones go first when the
// terminal is narrow.
type segment struct {
	text string
	p    themesPaint
	prio int // 0 never dropped
}

type themesPaint = themes.Paint

// View renders exactly one line of the bar's width.
func (s *StatusBar) View() string {
	w := s.width
	if w <= 0 {
		return ""
	}
	st := s.st
	glyph, words, kind := StateWords(s.state, s.known)
	if !s.known && s.conn.NoState != "" {
		glyph, words, kind = "▶", s.conn.NoState, mqttconn.StateConnected
	}
	statePaint := st.StatusWarn
	switch kind {
	case mqttconn.StateConnected:
		statePaint = st.StatusOK
	case mqttconn.StateStopped:
		statePaint = st.StatusAlert
	}
	proto := s.conn.Protocol
	if s.state.Protocol != "" {
		proto = s.state.Protocol
	}
	// Right-hand side: warnings first (never dropped), then counters.
	right := []segment{}
	if s.conn.Insecure {
		right = append(right, segment{"INSECURE TLS", st.StatusAlert, 0})
	}
	if s.conn.ReadOnly {
		right = append(right, segment{"READ-ONLY", st.StatusWarn, 0})
	}
	if s.count.Paused {
		right = append(right, segment{fmt.Sprintf("PAUSED +%s new", Count(s.count.New)), st.StatusWarn, 0})
	}
	if s.count.Dropped > 0 {
		right = append(right, segment{"dropped " + Count(s.count.Dropped), st.StatusWarn, 0})
	} else {
		right = append(right, segment{"dropped 0", st.Status, 4})
	}
	right = append(right,
		segment{Count(s.count.Total) + " msgs", st.StatusKey, 2},
		segment{Rate(s.count.Rate) + "/s", st.Status, 3},
		segment{"evicted " + Count(s.count.Evicted), st.Status, 5},
	)
	left := []segment{
		{glyph + " " + words, statePaint, 0},
		{safe(s.conn.Broker), st.StatusKey, 6},
		{s.conn.Platform, st.Status, 7},
		{"MQTT " + proto, st.Status, 8},
	}
	if proto == "" || (kind == mqttconn.StateConnected && s.state.Protocol != "") {
		left = left[:3] // the state words already name the protocol
	}
	kept := left[:0]
	for _, sg := range left {
		if sg.text != "" {
			kept = append(kept, sg)
		}
	}
	return renderBar(st, w, kept, right)
}

// renderBar drops segments from the highest priority number down until the
// line fits, then cuts the first left segment (the state) if it still does
// not.
func renderBar(st themes.Styles, w int, left, right []segment) string {
	const sep, sepW = " │ ", 3
	total := func() int {
		n := 1
		for i, sg := range left {
			if i > 0 {
				n += sepW
			}
			n += width(sg.text)
		}
		for _, sg := range right {
			n += width(sg.text) + sepW
		}
		return n + 1
	}
	for total() > w {
		worst, side, idx := 0, 0, -1
		for i, sg := range left {
			if sg.prio > worst {
				worst, side, idx = sg.prio, 0, i
			}
		}
		for i, sg := range right {
			if sg.prio > worst {
				worst, side, idx = sg.prio, 1, i
			}
		}
		if idx < 0 {
			break
		}
		if side == 0 {
			left = append(left[:idx:idx], left[idx+1:]...)
		} else {
			right = append(right[:idx:idx], right[idx+1:]...)
		}
	}
	var sb strings.Builder
	sb.WriteString(st.Status.Render(" "))
	used := 1
	for i, sg := range left {
		if i > 0 {
			sb.WriteString(st.Status.Render(sep))
			used += sepW
		}
		room := w - used - 1
		for _, r := range right {
			room -= width(r.text) + sepW
		}
		t := trunc(sg.text, max(room, 1))
		sb.WriteString(sg.p.Render(t))
		used += width(t)
	}
	var rb strings.Builder
	rw := 0
	for _, sg := range right {
		rb.WriteString(st.Status.Render(sep))
		rb.WriteString(sg.p.Render(sg.text))
		rw += sepW + width(sg.text)
	}
	gap := w - used - rw - 1
	if gap < 0 {
		// Still too wide (tiny width): cut the assembled line hard.
		return trunc(sb.String()+rb.String(), w)
	}
	sb.WriteString(st.Status.Render(spaces(gap)))
	sb.WriteString(rb.String())
	sb.WriteString(st.Status.Render(" "))
	return sb.String()
}

// Count formats a counter compactly: 999, 12.3k, 4.5M.
func Count(n uint64) string {
	switch {
	case n < 10_000:
		return fmt.Sprint(n)
	case n < 1_000_000:
		return fmt.Sprintf("%.1fk", float64(n)/1e3)
	case n < 1_000_000_000:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1fG", float64(n)/1e9)
}

// Rate formats messages per second.
func Rate(r float64) string {
	switch {
	case r < 0:
		return "0"
	case r < 10:
		return fmt.Sprintf("%.1f", r)
	case r < 10_000:
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.1fk", r/1e3)
}
