package views

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

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
	// RecordStopped: --record stopped early (a failed write); Unrecorded
	// messages received since are missing from the recording. Stays on
	// the bar: the recording is not what the operator started.
	RecordStopped bool
	Unrecorded    uint64
}

// ConnKind is the phase of the connection as the bar says it.
type ConnKind int

// The phases; ConnUnknown is before any state was reported.
const (
	ConnUnknown ConnKind = iota
	ConnConnecting
	ConnUp
	ConnRetrying
	ConnStopped
)

// ConnState is the status bar's view of the connection, built by the root
// from the transport's state. Err may come from the network: the bar makes
// it terminal-safe.
type ConnState struct {
	Kind     ConnKind
	Protocol string // "5" or "3.1.1" once connected
	Attempt  int
	// RetryAt is when the next reconnect attempt is due: the bar counts
	// down to it on every SetNow.
	RetryAt time.Time
	Err     string
	// Why is the gist of Err in a few words ("credentials refused"): the
	// bar keeps it when the whole of Err does not fit.
	Why string
	// RetryKey names the key that retries at once ("" when none does).
	RetryKey string
}

// StatusBar is the top line: broker, platform, protocol, connection state in
// words, counters and the warnings that must stay visible.
type StatusBar struct {
	st    themes.Styles
	width int
	conn  ConnInfo
	state ConnState
	now   time.Time
	count Counters
	// noGlyph goes with conn.NoState; "" is ▶.
	noGlyph string

	// reused by View: the bar is one session's
	left, right []segment
	scratch     barScratch
}

// NewStatusBar builds the bar for a connection.
func NewStatusBar(st themes.Styles, conn ConnInfo) *StatusBar {
	return &StatusBar{st: st, conn: conn}
}

// SetStyles switches the theme.
func (s *StatusBar) SetStyles(st themes.Styles) { s.st = st }

// SetSize sets the width; the bar is always one line.
func (s *StatusBar) SetSize(w int) { s.width = w }

// SetConn records a connection state change.
func (s *StatusBar) SetConn(cs ConnState) { s.state = cs }

// Conn is the connection state shown.
func (s *StatusBar) Conn() ConnState { return s.state }

// SetNoState changes what is said instead of a connection state (a replay
// that ended, or the pass it plays); glyph "" keeps ▶.
func (s *StatusBar) SetNoState(glyph, words string) { s.noGlyph, s.conn.NoState = glyph, words }

// SetNow moves the bar's clock: the reconnect countdown follows it.
func (s *StatusBar) SetNow(t time.Time) { s.now = t }

// SetCounters records the latest numbers.
func (s *StatusBar) SetCounters(c Counters) { s.count = c }

// StateWords says the connection state in words at now; the glyph only
// helps. short leaves out what the bar can spare on a narrow terminal.
func StateWords(cs ConnState, now time.Time) (glyph, words, short string) {
	switch cs.Kind {
	case ConnUp:
		w := "connected"
		if cs.Protocol != "" {
			return "●", w + " (MQTT " + safe(cs.Protocol) + ")", w
		}
		return "●", w, w
	case ConnRetrying:
		w := "reconnecting"
		if !cs.RetryAt.IsZero() {
			if left := cs.RetryAt.Sub(now); left >= 500*time.Millisecond {
				w += " in " + left.Round(time.Second).String()
			} else {
				w += " now"
			}
		}
		sh := w
		if cs.RetryKey != "" {
			w += " (" + cs.RetryKey + " retries now)"
		}
		if cs.Err != "" {
			w += ": " + safe(cs.Err)
		}
		return "◌", w, sh
	case ConnStopped:
		w := "stopped"
		sh := w
		if cs.Err != "" {
			w += ": " + safe(cs.Err)
		}
		return "✕", w, sh
	}
	w := "connecting"
	if cs.Attempt > 1 {
		w += fmt.Sprintf(" (attempt %d)", cs.Attempt)
	}
	return "○", w, "connecting"
}

// segment is one piece of the bar. alts are its texts from the fullest to
// the shortest (n of them, at most three); "" as the last one means it may
// go altogether. When the line is too long, the segment with the highest
// prio that still has a shorter text takes it, one step at a time.
type segment struct {
	alts [3]string
	n    int
	p    themes.Paint
	prio int
	at   int // index into alts in use
	// cut: when every segment is at its shortest and the line is still
	// too long, the left segment with the lowest cut above 0 is cut with
	// an ellipsis, down to minW cells, before the next one is.
	cut, minW int
	drop      bool // may go once cut to minW, when warnings fill the line
}

func (sg *segment) text() string { return sg.alts[sg.at] }

func seg(p themes.Paint, prio int, alts ...string) segment {
	sg := segment{p: p, prio: prio}
	sg.n = copy(sg.alts[:], alts)
	return sg
}

// brokerShort is the broker without a plain mqtt:// scheme: at 80
// columns host and port say which broker it is (mqtts:// stays: it says TLS).
func brokerShort(b string) string { return strings.TrimPrefix(b, "mqtt://") }

// View renders exactly one line of the bar's width. Broker, platform and
// the connection state stay at 80 columns; counters shorten first.
func (s *StatusBar) View() string {
	w := s.width
	if w <= 0 {
		return ""
	}
	st := s.st
	glyph, words, short := StateWords(s.state, s.now)
	kind := s.state.Kind
	if kind == ConnUnknown && s.conn.NoState != "" {
		glyph, words, short, kind = cmp.Or(s.noGlyph, "▶"), s.conn.NoState, s.conn.NoState, ConnUp
	}
	statePaint := st.StatusWarn
	switch kind {
	case ConnUp:
		statePaint = st.StatusOK
	case ConnStopped:
		statePaint = st.StatusAlert
	}
	proto := s.conn.Protocol
	if s.state.Protocol != "" {
		proto = s.state.Protocol
	}
	// Right-hand side: warnings first (never shortened), then counters.
	right := s.right[:0]
	if s.conn.Insecure {
		right = append(right, seg(st.StatusAlert, 0, "INSECURE TLS"))
	}
	if s.conn.ReadOnly {
		right = append(right, seg(st.StatusWarn, 0, "READ-ONLY"))
	}
	if s.count.RecordStopped {
		right = append(right, seg(st.StatusAlert, 0, "REC STOPPED: "+Count(s.count.Unrecorded)+" missing"))
	}
	if s.count.Paused {
		right = append(right, seg(st.StatusWarn, 0, fmt.Sprintf("PAUSED +%s new", Count(s.count.New))))
	}
	if s.count.Dropped > 0 {
		right = append(right, seg(st.StatusWarn, 0, "dropped "+Count(s.count.Dropped)))
	} else {
		right = append(right, seg(st.Status, 9, "dropped 0", ""))
	}
	right = append(right,
		seg(st.StatusKey, 2, Count(s.count.Total)+" msgs", ""),
		seg(st.Status, 3, Rate(s.count.Rate)+"/s", ""),
	)
	if s.count.Evicted > 0 {
		right = append(right, seg(st.Status, 5, "evicted "+Count(s.count.Evicted), "ev "+Count(s.count.Evicted), ""))
	} else {
		right = append(right, seg(st.Status, 10, "evicted 0", ""))
	}
	broker := safe(s.conn.Broker)
	// Why the connection is down outranks the counters: with a Why, the
	// state's shortest text keeps it (cut with an ellipsis only at the end).
	shortest := glyph + " " + short
	if s.state.Why != "" && (kind == ConnRetrying || kind == ConnStopped) {
		shortest += ": " + safe(s.state.Why)
	}
	left := append(s.left[:0],
		seg(statePaint, 4, glyph+" "+words, shortest),
		seg(st.StatusKey, 8, broker, brokerShort(broker)),
		seg(st.Status, 0, s.conn.Platform),
		seg(st.Status, 7, "MQTT "+proto, ""),
	)
	// Cut the broker first, then the state down to its short words, then
	// the platform; only warnings that fill the line push them out.
	left[0].cut, left[0].minW = 2, width(glyph+" "+short)
	left[1].cut, left[1].minW, left[1].drop = 1, 8, true
	left[2].cut, left[2].minW, left[2].drop = 3, 3, true
	if proto == "" || (kind == ConnUp && s.state.Protocol != "") {
		left = left[:3] // the state words already name the protocol
	}
	kept := left[:0]
	for _, sg := range left {
		if sg.text() != "" {
			kept = append(kept, sg)
		}
	}
	s.left, s.right = left, right
	return string(s.scratch.render(st, w, kept, right))
}

// barScratch is what the bar reuses from one frame to the next.
type barScratch struct {
	all  []*segment
	kept []segment
	buf  []byte
}

// render shortens segments (see segment) until the line fits; what still
// does not fit is cut from the left segments, the longest first. It returns
// the line in sc.buf.
func (sc *barScratch) render(st themes.Styles, w int, left, right []segment) []byte {
	const sep, sepW = " │ ", 3
	total := func() int {
		n := 1
		i := 0
		for _, sg := range left {
			if sg.text() == "" {
				continue
			}
			if i > 0 {
				n += sepW
			}
			n += width(sg.text())
			i++
		}
		for _, sg := range right {
			if sg.text() != "" {
				n += width(sg.text()) + sepW
			}
		}
		return n + 1
	}
	all := sc.all[:0]
	for i := range left {
		all = append(all, &left[i])
	}
	for i := range right {
		all = append(all, &right[i])
	}
	sc.all = all
	for total() > w {
		worst, best := -1, 0
		for i, sg := range all {
			if sg.at+1 < sg.n && sg.prio > best {
				worst, best = i, sg.prio
			}
		}
		if worst < 0 {
			break
		}
		all[worst].at++
	}
	// One step may have freed more than needed: give the most important
	// segments their fuller text back while it still fits.
	slices.SortStableFunc(all, func(a, b *segment) int { return cmp.Compare(a.prio, b.prio) })
	for _, sg := range all {
		for sg.at > 0 {
			sg.at--
			if total() > w {
				sg.at++
				break
			}
		}
	}
	kept := sc.kept[:0]
	for _, sg := range left {
		if sg.text() != "" {
			kept = append(kept, sg)
		}
	}
	sc.kept = kept
	// Still too wide: in cut order, each left segment is cut down to its
	// minW and, if it may, dropped, before the next one is touched.
	for order := 1; order <= 3 && total() > w; order++ {
		for i := 0; i < len(kept); i++ {
			sg := &kept[i]
			if sg.cut != order {
				continue
			}
			for over := total() - w; over > 0 && width(sg.text()) > sg.minW; over-- {
				t := sg.text()
				sg.alts[0], sg.n, sg.at = trunc(t, width(t)-1), 1, 0
				left = kept
			}
			if total() > w && sg.drop {
				kept = append(kept[:i:i], kept[i+1:]...)
				left = kept
				i--
			}
		}
	}
	b := st.Status.Append(sc.buf[:0], " ")
	used := 1
	for i, sg := range kept {
		if i > 0 {
			b = st.Status.Append(b, sep)
			used += sepW
		}
		b = sg.p.Append(b, sg.text())
		used += width(sg.text())
	}
	rw := 0
	for _, sg := range right {
		if sg.text() != "" {
			rw += sepW + width(sg.text())
		}
	}
	gap := w - used - rw - 1
	if gap >= 0 {
		var mark int
		b, mark = openPaint(b, st.Status)
		b = closePaint(appendSpaces(b, gap), st.Status, mark)
	}
	for _, sg := range right {
		if sg.text() == "" {
			continue
		}
		b = st.Status.Append(b, sep)
		b = sg.p.Append(b, sg.text())
	}
	if gap < 0 {
		// Still too wide (tiny width): cut the assembled line hard.
		sc.buf = append(b[:0], trunc(string(b), w)...)
		return sc.buf
	}
	b = st.Status.Append(b, " ")
	sc.buf = b
	return b
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
