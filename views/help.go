package views

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/mqdeck/mqdeck/themes"
)

// HelpGroup is one titled column of the help screen.
type HelpGroup struct {
	Title string
	Keys  []key.Binding
}

// Help is the full key map, generated from the bindings the root and the
// panes declare. Disabled bindings are left out.
type Help struct {
	st     themes.Styles
	keys   Keys
	w, h   int
	groups []HelpGroup
	offset int
	lines  []string // laid out for the current width
	out    []byte   // the frame, reused: the help is one session's
}

// NewHelp builds the help screen.
func NewHelp(st themes.Styles, keys Keys) *Help { return &Help{st: st, keys: keys} }

// SetStyles switches the theme.
func (h *Help) SetStyles(st themes.Styles) { h.st = st; h.layout() }

// SetGroups replaces what the help shows.
func (h *Help) SetGroups(g []HelpGroup) { h.groups = g; h.offset = 0; h.layout() }

// SetSize sets the outer size, border included.
func (h *Help) SetSize(w, hh int) { h.w, h.h = w, hh; h.layout() }

// Focus and Blur exist for symmetry with the panes; help is modal.
func (h *Help) Focus() {}

// Blur does nothing: help is closed by the root.
func (h *Help) Blur() {}

// ShortHelp is what the footer shows while help is open.
func (h *Help) ShortHelp() []key.Binding { return []key.Binding{h.keys.Up, h.keys.Down} }

// FullHelp of the help screen is the help screen.
func (h *Help) FullHelp() [][]key.Binding { return nil }

// Update scrolls.
func (h *Help) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	page := max(h.h-2, 1)
	switch {
	case key.Matches(k, h.keys.Down):
		h.offset++
	case key.Matches(k, h.keys.Up):
		h.offset--
	case key.Matches(k, h.keys.PageDown):
		h.offset += page
	case key.Matches(k, h.keys.PageUp):
		h.offset -= page
	case key.Matches(k, h.keys.Top):
		h.offset = 0
	case key.Matches(k, h.keys.Bottom):
		h.offset = len(h.lines)
	}
	h.offset = clamp(h.offset, 0, max(len(h.lines)-page, 0))
	return nil
}

// enabled keeps the bindings that show in help.
func enabled(bs []key.Binding) []key.Binding {
	out := make([]key.Binding, 0, len(bs))
	for _, b := range bs {
		if b.Enabled() && b.Help().Key != "" {
			out = append(out, b)
		}
	}
	return out
}

// layout flows the groups into as many columns as the width allows.
func (h *Help) layout() {
	h.lines = h.lines[:0]
	inner := h.w - 2
	if inner <= 0 {
		return
	}
	type col struct {
		w     int
		lines []string
	}
	var cols []col
	for _, g := range h.groups {
		bs := enabled(g.Keys)
		if len(bs) == 0 {
			continue
		}
		kw := 0
		for _, b := range bs {
			kw = max(kw, width(b.Help().Key))
		}
		c := col{lines: []string{h.st.Header.Render(g.Title)}}
		c.w = width(g.Title)
		for _, b := range bs {
			line := h.st.HelpKey.Render(fit(b.Help().Key, kw)) + "  " + h.st.HelpDesc.Render(b.Help().Desc)
			c.w = max(c.w, kw+2+width(b.Help().Desc))
			c.lines = append(c.lines, line)
		}
		cols = append(cols, c)
	}
	// Greedy rows of columns separated by three spaces.
	const gap = 3
	for i := 0; i < len(cols); {
		j, used := i, 0
		for j < len(cols) && (j == i || used+gap+cols[j].w <= inner) {
			if j > i {
				used += gap
			}
			used += cols[j].w
			j++
		}
		rows := 0
		for _, c := range cols[i:j] {
			rows = max(rows, len(c.lines))
		}
		for r := 0; r < rows; r++ {
			var sb strings.Builder
			for k, c := range cols[i:j] {
				if k > 0 {
					sb.WriteString(spaces(gap))
				}
				cell := ""
				if r < len(c.lines) {
					cell = c.lines[r]
				}
				sb.WriteString(fit(cell, min(c.w, inner)))
			}
			h.lines = append(h.lines, fit(sb.String(), inner))
		}
		h.lines = append(h.lines, spaces(inner))
		i = j
	}
}

// View draws the help box at its size.
func (h *Help) View() string {
	body := h.lines
	if h.offset < len(body) {
		body = body[h.offset:]
	}
	if h.w < 2 || h.h < 2 {
		return ""
	}
	h.out = appendFrame(h.out[:0], h.st, true, h.w, h.h, "Help", "esc or ? to close", body)
	return string(h.out)
}

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// ShortHelpLine renders bindings as one footer line of exactly w cells.
func ShortHelpLine(st themes.Styles, bs []key.Binding, w int) string {
	return string(AppendShortHelp(nil, st, w, bs))
}

// AppendShortHelp appends ShortHelpLine of the groups' bindings one after
// the other, without joining them first.
func AppendShortHelp(dst []byte, st themes.Styles, w int, groups ...[]key.Binding) []byte {
	used := 0
	for _, bs := range groups {
		for _, b := range bs {
			if !b.Enabled() || b.Help().Key == "" {
				continue
			}
			k, d := b.Help().Key, b.Help().Desc
			n := width(k) + 1 + width(d)
			sep := 0
			if used > 0 {
				sep = 3
			}
			if used+sep+n > w {
				return appendSpaces(dst, w-used)
			}
			if sep > 0 {
				dst = st.Subtle.Append(dst, " · ")
			}
			dst = st.HelpKey.Append(dst, k)
			dst = append(dst, ' ')
			dst = st.HelpDesc.Append(dst, d)
			used += sep + n
		}
	}
	return appendSpaces(dst, w-used)
}
