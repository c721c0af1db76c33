package views

import "github.com/mqdeck/mqdeck/themes"

// The root lays the grid out by content: each list says how many lines it
// has to show, and an empty one that is not focused is drawn as its title
// line only.

// Lines is how many rows the list has to show under its filter and scope
// (0: empty).
func (l *list) Lines() int {
	l.rows.syncRows()
	return l.cur.total
}

// Title is the pane's title ("4 Errors").
func (l *list) Title() string { return l.title }

// Lines of the Actions pane: each entry's line and its answers below it,
// counted for the newest entries that could be on screen.
func (p *ActionsPane) Lines() int {
	es := p.tr.Entries()
	inner := max(p.w-2, 8)
	n := 0
	for i, e := range es {
		if i >= 64 {
			return n + 2*(len(es)-i) // beyond any screen: an estimate is enough
		}
		n += 1 + len(p.detail(e, inner, p.expanded && i == p.cur.pos))
	}
	return n
}

// TitleBar is a collapsed pane: its title line alone, exactly w cells,
// open at both ends so it does not look like a box.
func TitleBar(st themes.Styles, w int, title, info string) string {
	return string(AppendTitleBar(nil, st, w, title, info))
}

// AppendTitleBar appends what TitleBar returns to dst.
func AppendTitleBar(dst []byte, st themes.Styles, w int, title, info string) []byte {
	if w < 2 {
		return appendSpaces(dst, w)
	}
	x := boxFor(st, false)
	return x.top(dst, w, title, info, "╶", "╴")
}
