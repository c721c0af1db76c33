package console

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/views"
)

// tabLabel is a tab strip entry at one of three widths: " 1 Fleet ",
// "1 Fleet", "1 Fle". The strip uses the widest that fits, so all seven
// panes are named down to the minimum width. badge follows the name (the
// Errors tab's unseen count).
func tabLabel(p Pane, narrow int, badge string) string {
	return string(appendTabLabel(nil, p, narrow, badge))
}

// appendTabLabel appends tabLabel(p, narrow, badge): the strip is drawn
// every frame.
func appendTabLabel(b []byte, p Pane, narrow int, badge string) []byte {
	if narrow == 0 {
		b = append(b, ' ')
	}
	b = strconv.AppendInt(b, int64(p)+1, 10)
	b = append(b, ' ')
	b = append(b, tabName(p, narrow)...)
	if badge != "" {
		b = append(append(b, ' '), badge...)
	}
	if narrow == 0 {
		b = append(b, ' ')
	}
	return b
}

// tabName is the pane's name at a narrowing: whole, or its first three
// letters.
func tabName(p Pane, narrow int) string {
	name := p.String()
	if narrow >= 2 && len(name) > 3 {
		name = name[:3]
	}
	return name
}

// tabWidth is the cells of a label, added up from its parts: the number
// and the names are ASCII, the badge is measured (its glyph is one cell).
func tabWidth(p Pane, narrow int, badge string) int {
	n := len(strconv.Itoa(int(p)+1)) + 1 + len(tabName(p, narrow))
	if badge != "" {
		n += 1 + ansi.StringWidth(badge)
	}
	if narrow == 0 {
		n += 2
	}
	return n
}

// tabNarrowing picks the widest labels whose strip fits in w cells.
func tabNarrowing(w int, badges [paneCount]string) int {
	for narrow := 0; narrow < 2; narrow++ {
		used := 0
		for p := Pane(0); p < paneCount; p++ {
			used += tabWidth(p, narrow, badges[p]) + 2
		}
		if used <= w {
			return narrow
		}
	}
	return 2
}

// tabAt finds the tab under column x of a strip w cells wide.
func tabAt(x, w int, badges [paneCount]string) (Pane, bool) {
	narrow := tabNarrowing(w, badges)
	pos := 0
	for p := Pane(0); p < paneCount; p++ {
		tw := tabWidth(p, narrow, badges[p]) + 2 // brackets or spaces around
		if x >= pos && x < pos+tw {
			return p, true
		}
		pos += tw
	}
	return 0, false
}

// unseenErrors is how many errors arrived since the Errors pane was last
// on screen.
func (m *Model) unseenErrors() uint64 {
	if n := m.store.ErrorCount(); n > m.errSeen {
		return n - m.errSeen
	}
	return 0
}

// badges are the tab strip's badges: "✖3" on Errors while errors are
// unseen (a glyph and a number, so it shows without colour too).
func (m *Model) badges() [paneCount]string {
	var b [paneCount]string
	if n := m.unseenErrors(); n > 0 {
		b[PaneErrors] = "✖" + views.Count(n)
	}
	return b
}

// markSeen: errors are seen when the operator goes to the Errors pane (it
// has focus and is drawn). Being on screen is not enough: in the grid the
// pane is always there, and a row that arrives while the operator reads
// another pane is easy to miss, so its title counts the unseen ones
// until then, as the tab strip's badge does.
func (m *Model) markSeen() {
	if m.focus == PaneErrors && !m.rects.TooSmall && !m.rects.Panes[PaneErrors].Empty() && m.modal == nil && !m.showHelp {
		m.errSeen = m.store.ErrorCount()
	}
	m.errP.SetUnseen(m.unseenErrors())
}

// tabs renders the tab strip; the focused tab is bracketed, not only
// coloured.
func (m *Model) tabs(w int) string {
	b := m.tabBuf[:0]
	badges := m.badges()
	narrow := tabNarrowing(w, badges)
	used := 0
	for p := Pane(0); p < paneCount; p++ {
		lw := tabWidth(p, narrow, badges[p]) + 2 // brackets or spaces around
		if used+lw > w {
			break
		}
		paint, open, end := m.styles.Subtle, byte(' '), byte(' ')
		switch {
		case p == m.focus:
			paint, open, end = m.styles.TitleFocused, '[', ']'
		case badges[p] != "":
			paint = m.styles.Error
		}
		// paint.Render of the label, written in place
		b = append(append(b, paint.Seq()...), open)
		b = append(appendTabLabel(b, p, narrow, badges[p]), end)
		if !paint.IsZero() {
			b = append(b, ansi.ResetStyle...)
		}
		used += lw
	}
	for ; used < w; used++ {
		b = append(b, ' ')
	}
	m.tabBuf = b
	return string(b)
}

// footer is the focused pane's filter input, or its keys and the global
// ones.
func (m *Model) footer(w int) string {
	if m.modal != nil {
		return views.ShortHelpLine(m.styles, m.modal.ShortHelp(), w)
	}
	if m.showHelp {
		return views.ShortHelpLine(m.styles, append(m.help.ShortHelp(), m.keys.Esc, m.keys.Quit), w)
	}
	if c, ok := m.panes[m.focus].(views.Capturer); ok && c.Capturing() {
		return c.InputView(w)
	}
	if m.noticeText != "" {
		// Already terminal-safe; cut to the width, never wrapped.
		t := ansi.Truncate("» "+m.noticeText, w, "…")
		return m.styles.Accent.Render(t) + strings.Repeat(" ", w-ansi.StringWidth(t))
	}
	m.footBuf = views.AppendShortHelp(m.footBuf[:0], m.styles, w, m.panes[m.focus].ShortHelp(), m.keys.ShortHelp())
	return string(m.footBuf)
}

// tooSmall says how large the terminal must be, within whatever fits.
func tooSmall(w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	msg := []string{
		"mqdeck needs a larger terminal",
		fmt.Sprintf("at least %dx%d, this one is %dx%d", MinWidth, MinHeight, w, h),
		"enlarge it, or press q to quit",
	}
	lines := make([]string, 0, h)
	top := max((h-len(msg))/2, 0)
	for i := 0; i < h; i++ {
		line := ""
		if j := i - top; j >= 0 && j < len(msg) {
			line = ansi.Truncate(msg[j], w, "…")
			pad := (w - ansi.StringWidth(line)) / 2
			line = strings.Repeat(" ", pad) + line
		}
		lines = append(lines, line+strings.Repeat(" ", w-ansi.StringWidth(line)))
	}
	return strings.Join(lines, "\n")
}

// render composes the whole screen.
func (m *Model) render() string {
	w, h := m.w, m.h
	if w <= 0 || h <= 0 {
		return ""
	}
	if m.rects.TooSmall {
		return tooSmall(w, h)
	}
	m.refill()
	m.markSeen() // this frame shows the Errors pane: no badge for it
	lines := m.lines[:0]
	for len(lines) < h {
		lines = append(lines, "")
	}
	m.lines = lines
	lines[m.rects.Status.Y] = m.status.View()
	lines[m.rects.Footer.Y] = m.footer(w)
	if m.modal != nil || m.showHelp {
		body := m.help.View()
		if m.modal != nil {
			body = m.modal.View()
		}
		return overlay(lines, body, w)
	}
	if r := m.rects.Tabs; !r.Empty() {
		lines[r.Y] = m.tabs(w)
	}
	// Left column first, so each row is assembled left to right.
	order := make([]Pane, 0, paneCount)
	for p := Pane(0); p < paneCount; p++ {
		if !m.rects.Panes[p].Empty() {
			order = append(order, p)
		}
	}
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && m.rects.Panes[order[j]].X < m.rects.Panes[order[j-1]].X; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	if m.stale || !m.paused {
		m.snapshot()
	}
	return m.compose(lines, order)
}

// overlay is the screen with body (help, a form) between the status line
// and the footer: whatever it leaves is blank, and a line too long is cut,
// so the frame stays w x h. It is written once, into a string of its size.
func overlay(lines []string, body string, w int) string {
	h := len(lines)
	n := len(body) + h
	if h > 0 {
		n += len(lines[0]) + len(lines[h-1])
	}
	var sb strings.Builder
	sb.Grow(n)
	rest, more := body, true
	for y := 0; y < h; y++ {
		if y > 0 {
			sb.WriteByte('\n')
		}
		if y == 0 || y == h-1 {
			sb.WriteString(lines[y])
			continue
		}
		l := ""
		if more { // the body's next line, as strings.Split cuts it
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				l, rest = rest[:i], rest[i+1:]
			} else {
				l, more = rest, false
			}
		}
		lw := ansi.StringWidth(l)
		if lw > w {
			l = ansi.Truncate(l, w, "")
			lw = ansi.StringWidth(l)
		}
		sb.WriteString(l)
		for ; lw < w; lw++ {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

// compose joins the screen's lines, each followed on its right by the
// panes' lines at that height, into one string of exactly the size needed.
// Each pane's cached view is cut into its r.H lines on the way (the last
// keeps the rest, as strings.SplitN did), so no line is built twice.
func (m *Model) compose(lines []string, order []Pane) string {
	type cut struct {
		rest   []byte
		y, end int // the next line's row and the row after the pane
	}
	var cuts [paneCount]cut
	n := len(lines)
	for _, l := range lines {
		n += len(l)
	}
	for _, p := range order {
		r := m.rects.Panes[p]
		cuts[p] = cut{rest: m.cache[p], y: r.Y, end: r.Y + r.H}
		n += len(m.cache[p])
	}
	var sb strings.Builder
	sb.Grow(n)
	for y, l := range lines {
		if y > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(l)
		for _, p := range order {
			c := &cuts[p]
			if c.y != y || c.y >= c.end {
				continue
			}
			piece := c.rest
			if c.y < c.end-1 {
				if i := bytes.IndexByte(c.rest, '\n'); i >= 0 {
					piece, c.rest = c.rest[:i], c.rest[i+1:]
				} else {
					c.end = c.y + 1 // that was the last line
				}
			}
			sb.Write(piece)
			c.y++
		}
	}
	return sb.String()
}

// lineCounter is a pane that says how many lines it has to show.
type lineCounter interface{ Lines() int }

// fill is what the panes have to show, for the grid's layout.
func (m *Model) fill() Fill {
	f := NoFill()
	for p := Pane(0); p < paneCount; p++ {
		if lc, ok := m.panes[p].(lineCounter); ok {
			f[p] = lc.Lines()
		}
	}
	if m.focus == PaneTopics || m.topics.first {
		f[PaneFleet] = Unbounded // the tree has the fleet's place
	}
	return f
}

// refill lays the grid out again when what the panes show changed.
// Paused, the view holds still: the layout too.
func (m *Model) refill() {
	if m.rects.Grid && !m.zoomed && !m.paused && m.fill() != m.lastFill {
		m.resize()
	}
}

// collapsed appends the title line of a pane the grid shrank to one line.
func (m *Model) collapsed(dst []byte, p Pane, w int) []byte {
	title := p.String()
	if t, ok := m.panes[p].(interface{ Title() string }); ok {
		title = t.Title()
	}
	return views.AppendTitleBar(dst, m.styles, w, title, "empty")
}

// snapshot renders every visible pane into its cache buffer, reused frame
// after frame.
func (m *Model) snapshot() {
	for p := Pane(0); p < paneCount; p++ {
		buf := m.cache[p][:0]
		switch r := m.rects.Panes[p]; {
		case r.Empty():
		case r.H == 1:
			buf = m.collapsed(buf, p, r.W)
		default:
			if a, ok := m.panes[p].(views.Appender); ok {
				buf = a.AppendView(buf)
			} else {
				buf = append(buf, m.panes[p].View()...)
			}
		}
		m.cache[p] = buf
	}
	m.stale = false
}

// View is the screen: alt screen, mouse cell motion unless disabled.
func (m *Model) View() tea.View {
	if sh := m.cfg.Shared; sh != nil {
		sh.Lock.RLock()
		defer sh.Lock.RUnlock()
	}
	v := tea.NewView(m.render())
	v.AltScreen = true
	if !m.cfg.NoMouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "mqdeck"
	return v
}
