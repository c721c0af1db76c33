// Package themes holds mqdeck's colours, named by what they mean (ok, warn,
// error, offline, ...), and the styles built from them. Nothing here is a
// package-level variable: callers build a Styles value with New and keep it.
package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Theme names. Auto is not a theme: it asks the terminal for its background
// and picks Dark or Light.
const (
	Dark         = "dark"
	Light        = "light"
	HighContrast = "high-contrast"
	Mono         = "mono"
	Auto         = "auto"
)

// Theme is a palette of colours named by meaning. A nil colour means "the
// terminal's default", which is what the monochrome theme uses throughout.
type Theme struct {
	Name string
	// Mono themes carry emphasis with bold, underline and reverse only.
	Mono bool

	Text      color.Color // body text; nil keeps the terminal's own
	Subtle    color.Color // secondary text: ids, ages, units
	Border    color.Color // unfocused pane borders
	Focus     color.Color // focused pane border and title
	Accent    color.Color // titles, keys in help, counters
	Header    color.Color // table headers
	Selection color.Color // selected row background
	SelFg     color.Color // selected row foreground

	OK      color.Color // online, acked, resolved, acknowledged publishes
	Warn    color.Color // warnings, unacknowledged, paused
	Error   color.Color // errors, alarms, refused
	Offline color.Color // offline by will or platform state
	Stale   color.Color // silent for longer than the stale limit
	Unknown color.Color // never told
	Info    color.Color // informational event level

	StatusBg color.Color // status bar background
	StatusFg color.Color // status bar text
}

// Names lists the selectable themes in the order T cycles through them.
func Names() []string {
	return []string{Dark, Light, HighContrast, Mono}
}

// Next returns the theme after name in the cycle order (dark after an
// unknown name).
func Next(name string) string {
	names := Names()
	for i, n := range names {
		if n == name {
			return names[(i+1)%len(names)]
		}
	}
	return names[0]
}

// Lookup returns the named theme and whether the name was known.
func Lookup(name string) (Theme, bool) {
	switch name {
	case Dark:
		return darkTheme(), true
	case Light:
		return lightTheme(), true
	case HighContrast, "highcontrast", "contrast":
		return highContrastTheme(), true
	case Mono, "monochrome", "none":
		return monoTheme(), true
	}
	return darkTheme(), false
}

// Initial picks the theme to start with. requested is what the user asked for
// ("" or Auto to follow the terminal); noColor is whether NO_COLOR is set
// (https://no-color.org: any non-empty value). An explicit request wins over
// NO_COLOR, which wins over auto-detection. The second result says whether
// the terminal's background should be asked for (auto mode).
func Initial(requested string, noColor bool) (name string, detect bool) {
	if requested != "" && requested != Auto {
		if t, ok := Lookup(requested); ok {
			return t.Name, false
		}
	}
	if noColor {
		return Mono, false
	}
	return Dark, true
}

// ForBackground is the theme auto mode picks for a terminal background.
func ForBackground(isDark bool) string {
	if isDark {
		return Dark
	}
	return Light
}

func hex(s string) color.Color { return lipgloss.Color(s) }

func darkTheme() Theme {
	return Theme{
		Name:      Dark,
		Subtle:    hex("#8a8a8a"),
		Border:    hex("#585858"),
		Focus:     hex("#5fafff"),
		Accent:    hex("#d7afff"),
		Header:    hex("#87afd7"),
		Selection: hex("#30365a"),
		SelFg:     hex("#ffffff"),
		OK:        hex("#5fd75f"),
		Warn:      hex("#ffaf00"),
		Error:     hex("#ff5f5f"),
		Offline:   hex("#ff875f"),
		Stale:     hex("#d7af5f"),
		Unknown:   hex("#8a8a8a"),
		Info:      hex("#5fafd7"),
		StatusBg:  hex("#262626"),
		StatusFg:  hex("#d0d0d0"),
	}
}

func lightTheme() Theme {
	return Theme{
		Name:      Light,
		Subtle:    hex("#5f5f5f"),
		Border:    hex("#a8a8a8"),
		Focus:     hex("#005fd7"),
		Accent:    hex("#8700af"),
		Header:    hex("#00508f"),
		Selection: hex("#d0e0ff"),
		SelFg:     hex("#000000"),
		OK:        hex("#00731f"),
		Warn:      hex("#9a5b00"),
		Error:     hex("#c00000"),
		Offline:   hex("#b03a00"),
		Stale:     hex("#7a6000"),
		Unknown:   hex("#6c6c6c"),
		Info:      hex("#005f87"),
		StatusBg:  hex("#e4e4e4"),
		StatusFg:  hex("#1c1c1c"),
	}
}

// highContrastTheme sticks to the 16 basic colours, which every terminal
// maps to its own most legible palette.
func highContrastTheme() Theme {
	return Theme{
		Name:      HighContrast,
		Text:      lipgloss.BrightWhite,
		Subtle:    lipgloss.White,
		Border:    lipgloss.White,
		Focus:     lipgloss.BrightYellow,
		Accent:    lipgloss.BrightCyan,
		Header:    lipgloss.BrightWhite,
		Selection: lipgloss.BrightWhite,
		SelFg:     lipgloss.Black,
		OK:        lipgloss.BrightGreen,
		Warn:      lipgloss.BrightYellow,
		Error:     lipgloss.BrightRed,
		Offline:   lipgloss.BrightMagenta,
		Stale:     lipgloss.Yellow,
		Unknown:   lipgloss.White,
		Info:      lipgloss.BrightCyan,
		StatusBg:  lipgloss.Blue,
		StatusFg:  lipgloss.BrightWhite,
	}
}

func monoTheme() Theme {
	return Theme{Name: Mono, Mono: true}
}
