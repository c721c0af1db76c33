package views

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
	"github.com/mqdeck/mqdeck/tui/topics"
)

// PlotPickMsg: plot this field of this topic.
type PlotPickMsg struct{ Topic, Path string }

// PlotCancelMsg: the picker was closed without a field.
type PlotCancelMsg struct{}

// PlotPicker asks for a numeric JSON path of a topic's payloads: typed
// (keys holding a dot are escaped: a\.b), or picked from the numeric
// fields of the last payload.
type PlotPicker struct {
	st      themes.Styles
	topic   string
	all     []string // suggestions, terminal-safe
	shown   []string
	sel     int
	in      textinput.Model
	w, h    int
	keys    [3]key.Binding // pick, move, cancel
	decided bool
}

// NewPlotPicker builds the picker for topic with the suggested paths.
func NewPlotPicker(st themes.Styles, topic string, suggestions []string) *PlotPicker {
	in := textinput.New()
	in.Prompt = "field: "
	in.Placeholder = "telemetries.fan_speed"
	in.CharLimit = 256
	p := &PlotPicker{st: st, topic: topic, in: in}
	for _, s := range suggestions {
		p.all = append(p.all, safe(s))
	}
	p.keys = [3]key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "plot")),
		key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "suggestion")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
	p.filter()
	return p
}

// Focus starts the input.
func (p *PlotPicker) Focus() tea.Cmd { return p.in.Focus() }

// SetStyles switches the theme.
func (p *PlotPicker) SetStyles(st themes.Styles) { p.st = st }

// SetSize sets the outer size.
func (p *PlotPicker) SetSize(w, h int) { p.w, p.h = w, h }

// ShortHelp is the footer while the picker is open.
func (p *PlotPicker) ShortHelp() []key.Binding { return p.keys[:] }

// filter keeps the suggestions that contain what is typed.
func (p *PlotPicker) filter() {
	q := strings.ToLower(p.in.Value())
	p.shown = p.shown[:0]
	for _, s := range p.all {
		if strings.Contains(strings.ToLower(s), q) {
			p.shown = append(p.shown, s)
		}
	}
	p.sel = clamp(p.sel, 0, max(len(p.shown)-1, 0))
}

// Update: enter plots the typed path, or the suggestion selected when
// nothing typed matches one exactly; arrows move; esc cancels.
func (p *PlotPicker) Update(msg tea.Msg) tea.Cmd {
	if p.decided {
		return nil
	}
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			p.decided = true
			return func() tea.Msg { return PlotCancelMsg{} }
		case "up":
			p.sel = max(p.sel-1, 0)
			return nil
		case "down":
			p.sel = min(p.sel+1, max(len(p.shown)-1, 0))
			return nil
		case "enter":
			path := strings.TrimSpace(p.in.Value())
			exact := false
			for _, s := range p.all {
				exact = exact || s == path
			}
			if !exact && len(p.shown) > 0 {
				path = p.shown[p.sel]
			}
			if path == "" {
				return nil
			}
			p.decided = true
			t := p.topic
			return func() tea.Msg { return PlotPickMsg{Topic: t, Path: path} }
		}
	}
	var cmd tea.Cmd
	p.in, cmd = p.in.Update(msg)
	p.filter()
	return cmd
}

// View draws the picker.
func (p *PlotPicker) View() string {
	if p.w < 4 || p.h < 3 {
		return ""
	}
	inner := p.w - 2
	p.in.SetWidth(max(inner-10, 4))
	lines := []string{
		fit(" Plot a numeric field of "+p.st.Header.Render(trunc(safe(p.topic), max(inner-26, 4))), inner),
		fit(" "+p.in.View(), inner),
		"",
	}
	if len(p.all) == 0 {
		lines = append(lines, fit(" "+p.st.Subtle.Render("no numeric field in the last payload: type a path"), inner))
	}
	room := max(p.h-2-len(lines), 0)
	top := max(p.sel-room+1, 0)
	for i := top; i < len(p.shown) && i < top+room; i++ {
		l := fit("   "+p.shown[i], inner)
		if i == p.sel {
			l = p.st.Selected.Render(fit(" › "+p.shown[i], inner))
		}
		lines = append(lines, l)
	}
	return frame(p.st, true, p.w, p.h, "Plot", fmt.Sprintf("%d numeric field(s)", len(p.all)), lines)
}

// chartLevels are the eighths of a chart cell, bottom up.
var chartLevels = [...]string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// fmtNum is a short number for axes: 21.5, 1234.5, 1.5e+06.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }

// Chart draws the last points as columns, one point a column, h rows
// high and w cells wide: a value axis on the left (max, min), a time axis
// below (the first and last point shown), min, max and last above.
func Chart(st themes.Styles, pts []topics.Point, w, h int) []string {
	if w < 16 || h < 4 || len(pts) == 0 {
		return nil
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range pts {
		lo, hi = min(lo, p.V), max(hi, p.V)
	}
	last := pts[len(pts)-1]
	out := []string{fit(fmt.Sprintf("min %s · max %s · last %s · %d point(s)", fmtNum(lo), fmtNum(hi), fmtNum(last.V), len(pts)), w)}
	axis := max(len(fmtNum(hi)), len(fmtNum(lo))) + 1
	cols := w - axis - 1
	rows := h - 2
	if len(pts) > cols {
		pts = pts[len(pts)-cols:]
	}
	span := hi - lo
	for r := rows - 1; r >= 0; r-- {
		var sb strings.Builder
		label := ""
		switch r {
		case rows - 1:
			label = fmtNum(hi)
		case 0:
			label = fmtNum(lo)
		}
		sb.WriteString(fitRight(label, axis-1) + " ┤")
		for _, p := range pts {
			eighths := rows * 8 / 2 // a flat line sits mid-height
			if span > 0 {
				eighths = int(math.Round((p.V - lo) / span * float64(rows*8-1)))
				eighths++ // the minimum still shows
			}
			cell := clamp(eighths-r*8, 0, 8)
			sb.WriteString(chartLevels[cell])
		}
		out = append(out, st.Spark.Render(fit(sb.String(), w)))
	}
	from := pts[0].At.UTC().Format("15:04:05")
	to := pts[len(pts)-1].At.UTC().Format("15:04:05")
	// The labels sit under the first and last columns drawn.
	line := from + " – " + to
	if gap := len(pts) - len(from) - len(to); gap >= 1 {
		line = from + spaces(gap) + to
	}
	out = append(out, fit(spaces(axis+1)+line, w))
	return out
}
