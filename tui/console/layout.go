package console

// Pane names one of the eight panes. The order is the order of the 1-8
// keys and of tab cycling.
type Pane int

// The panes, in key order.
const (
	PaneFleet Pane = iota
	PaneEvents
	PaneTelemetry
	PaneErrors
	PaneLog
	PaneDetail
	PaneActions
	PaneTopics // the topic tree (topics.go); in the grid it takes the fleet's place
	paneCount
)

// PaneCount is how many panes there are.
const PaneCount = int(paneCount)

// String is the pane's title.
func (p Pane) String() string {
	switch p {
	case PaneFleet:
		return "Fleet"
	case PaneEvents:
		return "Events"
	case PaneTelemetry:
		return "Telemetry"
	case PaneErrors:
		return "Errors"
	case PaneLog:
		return "Log"
	case PaneDetail:
		return "Detail"
	case PaneActions:
		return "Actions"
	case PaneTopics:
		return "Topics"
	}
	return "?"
}

// Minimum terminal size. Below it the console only says how large it needs
// to be: at 60x16 every pane still shows a header and a few rows.
const (
	MinWidth  = 60
	MinHeight = 16
)

// Grid thresholds: from this size up all seven panes are on screen at once;
// below it the focused pane is shown with the detail of its selection.
const (
	gridWidth  = 110
	gridHeight = 32
)

// Rect is a screen area in cells. A zero-size Rect is not drawn.
type Rect struct {
	X, Y, W, H int
}

// Empty reports whether the rect has no cells.
func (r Rect) Empty() bool { return r.W <= 0 || r.H <= 0 }

// Rects is where everything goes for one terminal size.
type Rects struct {
	// TooSmall: only a message fits; nothing else is set.
	TooSmall bool
	// Grid: all panes are visible; otherwise Tabs names the panes and only
	// the focused one (and the detail) are drawn.
	Grid   bool
	Status Rect // top line: broker, state, counters
	Tabs   Rect // compact mode: the pane tab strip
	Footer Rect // bottom line: short help or the filter input
	Panes  [paneCount]Rect
}

// Fill is how many lines of content each pane has to show: 0 is an empty
// pane, Unbounded one that takes whatever it gets (the detail, a pane that
// does not say).
type Fill [paneCount]int

// Unbounded is a Fill entry of a pane that can use any height.
const Unbounded = -1

// NoFill is the fill of panes that all take whatever they get: the grid
// splits by weights alone.
func NoFill() Fill {
	var f Fill
	for i := range f {
		f[i] = Unbounded
	}
	return f
}

// Layout maps a terminal size to rectangles, every pane taking what its
// weight gives (see LayoutFill).
func Layout(width, height int, focus Pane, zoomed bool) Rects {
	return LayoutFill(width, height, focus, zoomed, NoFill())
}

// LayoutFill maps a terminal size to rectangles. In the grid the height of
// a column goes to the panes with content: an empty pane that is not
// focused shrinks to its title line, a pane with few lines gets what it
// shows, and what they leave goes to the others by weight. It is a pure
// function: the same size, focus, zoom and fill always give the same
// rectangles, and nothing outside the terminal.
func LayoutFill(width, height int, focus Pane, zoomed bool, fill Fill) Rects {
	var r Rects
	if width < MinWidth || height < MinHeight {
		r.TooSmall = true
		return r
	}
	if focus < 0 || focus >= paneCount {
		focus = PaneFleet
	}
	r.Status = Rect{0, 0, width, 1}
	r.Footer = Rect{0, height - 1, width, 1}
	body := Rect{0, 1, width, height - 2}

	if zoomed {
		r.Panes[focus] = body
		return r
	}
	if width >= gridWidth && height >= gridHeight {
		r.Grid = true
		grid(&r, body, focus, fill)
		if focus == PaneTopics { // the tree and the fleet share the first place
			r.Panes[PaneTopics], r.Panes[PaneFleet] = r.Panes[PaneFleet], Rect{}
		}
		return r
	}
	r.Tabs = Rect{0, body.Y, width, 1}
	main := Rect{0, body.Y + 1, width, body.H - 1}
	if focus == PaneDetail {
		r.Panes[PaneDetail] = main
		return r
	}
	// The focused list on top, the detail of its selection below.
	top := main.H * 3 / 5
	r.Panes[focus] = Rect{0, main.Y, width, top}
	r.Panes[PaneDetail] = Rect{0, main.Y + top, width, main.H - top}
	return r
}

// Pane heights in the grid: a list needs its border and header around
// its lines; below minRows lines a pane that has content still gets
// minRows, so a row or two stays readable next to a big neighbour.
const (
	listChrome = 3
	minRows    = 1
)

// grid places the panes: fleet, telemetry and errors on the left; events,
// actions, log and detail on the right, where long topics, payloads and
// the platform's answers to actions need width.
func grid(r *Rects, body Rect, focus Pane, fill Fill) {
	left := body.W * 2 / 5
	right := body.W - left
	lp := []Pane{PaneFleet, PaneTelemetry, PaneErrors}
	rp := []Pane{PaneEvents, PaneActions, PaneLog, PaneDetail}
	lh := column(body.H, lp, []int{5, 3, 2}, focus, fill)
	rh := column(body.H, rp, []int{7, 5, 5, 6}, focus, fill)
	y := body.Y
	for i, p := range lp {
		r.Panes[p] = Rect{0, y, left, lh[i]}
		y += lh[i]
	}
	y = body.Y
	for i, p := range rp {
		r.Panes[p] = Rect{left, y, right, rh[i]}
		y += rh[i]
	}
}

// column splits a column of height n among panes. An empty pane (fill 0)
// that is not focused gets one line, its title; a pane whose lines fit in
// less than its weighted share gets just what it shows; the rest is split
// by weight among the others. When every pane has what it shows, the
// surplus is split by weight among those with content. The heights always
// sum to n.
func column(n int, panes []Pane, weights []int, focus Pane, fill Fill) []int {
	out := make([]int, len(panes))
	want := make([]int, len(panes)) // -1: any height
	open := []int{}
	left := n
	for i, p := range panes {
		switch f := fill[p]; {
		case f == 0 && p != focus:
			out[i] = 1
			left--
			continue
		case f < 0:
			want[i] = -1
		default:
			want[i] = max(f, minRows) + listChrome
		}
		open = append(open, i)
	}
	if len(open) == 0 { // every pane empty: they share by weight after all
		return split(n, weights...)
	}
	// Water-fill: satisfy the panes whose want is below their share, then
	// share again among the rest.
	rest := append([]int(nil), open...)
	for changed := true; changed && len(rest) > 0; {
		changed = false
		tw := 0
		for _, i := range rest {
			tw += weights[i]
		}
		for k, i := range rest {
			if want[i] >= 0 && want[i]*tw <= left*weights[i] {
				out[i] = want[i]
				left -= want[i]
				rest = append(rest[:k:k], rest[k+1:]...)
				changed = true
				break
			}
		}
	}
	give := rest
	if len(give) == 0 {
		give = open // all satisfied: the surplus goes to those with content
	}
	ws := make([]int, len(give))
	for k, i := range give {
		ws[k] = weights[i]
	}
	for k, h := range split(max(left, 0), ws...) {
		out[give[k]] += h
	}
	return out
}

// split divides n into parts proportional to weights; the last part takes
// the rounding so the parts always sum to n.
func split(n int, weights ...int) []int {
	total := 0
	for _, w := range weights {
		total += w
	}
	out := make([]int, len(weights))
	used := 0
	for i, w := range weights[:len(weights)-1] {
		out[i] = n * w / total
		used += out[i]
	}
	out[len(out)-1] = n - used
	return out
}
