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

// Layout maps a terminal size to rectangles. It is a pure function: the same
// size, focus and zoom always give the same rectangles, and nothing outside
// the terminal.
func Layout(width, height int, focus Pane, zoomed bool) Rects {
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
		grid(&r, body)
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

// grid places all seven panes: fleet, telemetry and errors on the left;
// events, actions, log and detail on the right, where long topics, payloads
// and the platform's answers to actions need width.
func grid(r *Rects, body Rect) {
	left := body.W * 2 / 5
	right := body.W - left
	lh := split(body.H, 5, 3, 2)
	rh := split(body.H, 7, 5, 5, 6)
	y := body.Y
	for i, p := range []Pane{PaneFleet, PaneTelemetry, PaneErrors} {
		r.Panes[p] = Rect{0, y, left, lh[i]}
		y += lh[i]
	}
	y = body.Y
	for i, p := range []Pane{PaneEvents, PaneActions, PaneLog, PaneDetail} {
		r.Panes[p] = Rect{left, y, right, rh[i]}
		y += rh[i]
	}
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
