package views

import (
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/mqdeck/mqdeck/themes"
)

// cursor is the selection and scroll position of a list of total rows, rows
// of which are visible at once.
type cursor struct {
	pos, top    int
	total, rows int
}

// move applies a movement key; it reports whether the key was one.
func (c *cursor) move(k tea.KeyPressMsg, keys Keys) bool {
	page := max(c.rows-1, 1)
	switch {
	case key.Matches(k, keys.Down):
		c.pos++
	case key.Matches(k, keys.Up):
		c.pos--
	case key.Matches(k, keys.PageDown):
		c.pos += page
		c.top += page
	case key.Matches(k, keys.PageUp):
		c.pos -= page
		c.top -= page
	case key.Matches(k, keys.Top):
		c.pos, c.top = 0, 0
	case key.Matches(k, keys.Bottom):
		c.pos = c.total - 1
	default:
		return false
	}
	c.clamp()
	return true
}

// wheel scrolls by n rows (mouse wheel), keeping the selection visible.
func (c *cursor) wheel(n int) {
	c.pos += n
	c.top += n
	c.clamp()
}

// clamp keeps pos inside the list and on screen.
func (c *cursor) clamp() {
	c.pos = clamp(c.pos, 0, max(c.total-1, 0))
	rows := max(c.rows, 1)
	if c.pos < c.top {
		c.top = c.pos
	}
	if c.pos >= c.top+rows {
		c.top = c.pos - rows + 1
	}
	c.top = clamp(c.top, 0, max(c.total-rows, 0))
}

// shift moves the window and the selection down by n rows: n new rows
// arrived above them in a newest-first list.
func (c *cursor) shift(n int) {
	if n <= 0 {
		return
	}
	c.pos += n
	c.top += n
	c.clamp()
}

// filterBox is a pane's filter: typed live, committed with enter, reverted
// with esc.
type filterBox struct {
	input  textinput.Model
	active bool
	value  string // the filter in force
	before string // value when editing began, for esc
}

func newFilterBox(st themes.Styles, placeholder string) filterBox {
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = placeholder
	in.CharLimit = 256
	f := filterBox{input: in}
	f.setStyles(st)
	return f
}

func (f *filterBox) setStyles(st themes.Styles) {
	s := f.input.Styles()
	s.Focused.Prompt = s.Focused.Prompt.UnsetForeground()
	s.Blurred.Prompt = s.Blurred.Prompt.UnsetForeground()
	f.input.SetStyles(s)
}

// start opens the input on the current value.
func (f *filterBox) start() tea.Cmd {
	f.active = true
	f.before = f.value
	f.input.SetValue(f.value)
	f.input.CursorEnd()
	return f.input.Focus()
}

// update handles a key while the input is open. changed reports that the
// filter in force changed (it follows the typing).
func (f *filterBox) update(msg tea.Msg) (changed bool, cmd tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "enter":
			f.active = false
			f.input.Blur()
			return false, nil
		case "esc":
			f.active = false
			f.input.Blur()
			changed = f.value != f.before
			f.value = f.before
			return changed, nil
		}
	}
	f.input, cmd = f.input.Update(msg)
	if v := f.input.Value(); v != f.value {
		f.value = v
		changed = true
	}
	return changed, cmd
}

// clear drops the filter in force; it reports whether there was one.
func (f *filterBox) clear() bool {
	had := f.value != ""
	f.value, f.before = "", ""
	f.input.SetValue("")
	return had
}

// view is the input line for the footer.
func (f *filterBox) view(w int) string {
	f.input.SetWidth(max(w-2, 1))
	return fit(f.input.View(), w)
}

// sparkBlocks are the eight heights of a sparkline cell.
var sparkBlocks = [...]string{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// Sparkline draws the last w values as block heights, scaled between their
// minimum and maximum; it is exactly w cells wide (blank-padded on the
// left when there are fewer values). NaN and infinities draw as blanks.
func Sparkline(vals []float64, w int) string {
	if w <= 0 {
		return ""
	}
	return string(appendSparkline(make([]byte, 0, w*3), vals, w))
}

// Age says how long ago t was, in the largest unit: 42s, 5m, 3h, 12d. A
// zero time is "-"; a time in the future (clock skew) is "now".
func Age(now, t time.Time) string {
	var tmp [24]byte
	return string(appendAge(tmp[:0], now, t))
}

// shortID is the terminal-safe head of a long id (uuids): enough to tell
// rows apart.
func shortID(id string, n int) string {
	id = safe(id)
	if isPlainASCII(id) {
		if len(id) <= n {
			return id
		}
		return id[:n]
	}
	return ansi.Truncate(id, n, "")
}

// placeholder is what an empty list says, centred-ish on its first row.
func placeholder(st themes.Styles, text string, w int) string {
	return fit(" "+st.Subtle.Render(text), w)
}
