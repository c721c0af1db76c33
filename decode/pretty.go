package decode

import (
	"fmt"
	"strconv"
	"strings"
)

// Summary renders v on one line of at most width cells for list rows:
// compact JSON-like text for documents ({"status":"ACTIVE",…}), the text
// itself, or a hex head for binary. The result is terminal-safe.
func Summary(v Value, width int) string {
	if width <= 0 {
		return ""
	}
	budget := width*4 + 16
	var b strings.Builder
	b.Grow(min(budget+64, 4096))
	switch {
	case v.Truncated:
		fmt.Fprintf(&b, "<truncated, %d bytes> ", v.Size)
		b.Write(appendHexTail(nil, v.Data.Bytes, budget))
	case v.Format == FormatCloudEvents && v.Event != nil:
		if v.Event.Type != "" {
			b.WriteString(Safe(v.Event.Type))
			b.WriteByte(' ')
		}
		summaryData(&b, v.Data, budget)
	default:
		summaryData(&b, v.Data, budget)
	}
	return Truncate(b.String(), width)
}

func summaryData(b *strings.Builder, n Node, budget int) {
	switch n.Kind {
	case KindString:
		// Text payloads and string data read best unquoted, on one line.
		b.WriteString(Safe(runePrefix(n.Str, budget)))
	case KindBytes:
		fmt.Fprintf(b, "<%d bytes>", len(n.Bytes))
		for i, c := range n.Bytes {
			if i*3 > budget {
				break
			}
			b.WriteByte(' ')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	default:
		writeCompact(b, n, budget)
	}
}

// indentStep is the indentation of one nesting level in Pretty.
const indentStep = 2

// Pretty renders v for the detail pane as lines of at most width cells:
// CloudEvent attributes first, then the data as indented JSON-like text
// with keys in wire order (MsgPack bin as hex, timestamps in RFC 3339),
// text line by line, binary as a hex dump. Long lines wrap. Every line is
// terminal-safe.
func Pretty(v Value, width int) []string {
	if width <= 0 {
		return nil
	}
	p := printer{width: width}
	if v.Truncated {
		p.line(0, fmt.Sprintf("truncated: first %d of %d bytes", len(v.Data.Bytes), v.Size))
		p.lines = append(p.lines, HexDump(v.Data.Bytes, width)...)
		return p.lines
	}
	format := v.Format
	if ev := v.Event; ev != nil {
		p.event(ev)
		format = ev.DataFormat
		if format == "" && v.Data.IsNull() {
			p.line(0, "data: none")
			return p.lines
		}
		p.line(0, "data ("+string(format)+"):")
	}
	switch {
	case v.Data.Kind == KindBytes && (format == FormatBinary || format == ""):
		p.lines = append(p.lines, HexDump(v.Data.Bytes, width)...)
	case v.Data.Kind == KindString && format == FormatText:
		p.text(v.Data.Str)
	default:
		p.node(0, "", v.Data, "")
	}
	return p.lines
}

type printer struct {
	width int
	lines []string
}

// line emits safe text at an indent, wrapping what does not fit; wrapped
// parts are indented one step more.
func (p *printer) line(indent int, text string) {
	indent = min(indent, p.width/2)
	pad := strings.Repeat(" ", indent)
	text = Safe(text)
	if isPlainASCII(text) && indent+len(text) <= p.width {
		p.lines = append(p.lines, pad+text)
		return
	}
	if indent+Width(text) <= p.width {
		p.lines = append(p.lines, pad+text)
		return
	}
	parts := splitWidth(text, max(p.width-indent, 1))
	p.lines = append(p.lines, pad+parts[0])
	rest := strings.Join(parts[1:], "")
	if rest == "" {
		return
	}
	ci := min(indent+indentStep, p.width/2)
	cpad := strings.Repeat(" ", ci)
	for _, part := range splitWidth(rest, max(p.width-ci, 1)) {
		p.lines = append(p.lines, Truncate(cpad+part, p.width))
	}
}

// text emits a text payload line by line.
func (p *printer) text(s string) {
	for _, ln := range strings.Split(s, "\n") {
		p.line(0, strings.TrimSuffix(ln, "\r"))
	}
}

func (p *printer) event(ev *CloudEvent) {
	p.line(0, fmt.Sprintf("cloudevent %s (%s mode)", ev.SpecVersion, ev.Mode))
	for _, a := range [...]struct{ name, val string }{
		{"id", ev.ID}, {"source", ev.Source}, {"type", ev.Type}, {"subject", ev.Subject},
		{"time", ev.Time}, {"datacontenttype", ev.DataContentType}, {"dataschema", ev.DataSchema},
	} {
		if a.val != "" {
			p.line(indentStep, a.name+": "+a.val)
		}
	}
	for _, a := range ev.Extensions {
		p.line(indentStep, a.Name+": "+a.Value)
	}
}

// node emits n at indent; prefix is the rendered key ("\"k\": ") and
// suffix the separator after it ("," or "").
func (p *printer) node(indent int, prefix string, n Node, suffix string) {
	switch n.Kind {
	case KindObject:
		if len(n.Fields) == 0 {
			p.line(indent, prefix+"{}"+suffix)
			return
		}
		p.line(indent, prefix+"{")
		for i := range n.Fields {
			f := &n.Fields[i]
			var kb strings.Builder
			writeKey(&kb, f)
			kb.WriteString(": ")
			p.node(indent+indentStep, kb.String(), f.Value, sep(i, len(n.Fields)))
		}
		p.line(indent, "}"+suffix)
	case KindArray:
		if len(n.Items) == 0 {
			p.line(indent, prefix+"[]"+suffix)
			return
		}
		if inline, ok := p.inlineArray(indent, prefix, n, suffix); ok {
			p.line(indent, inline)
			return
		}
		p.line(indent, prefix+"[")
		for i := range n.Items {
			p.node(indent+indentStep, "", n.Items[i], sep(i, len(n.Items)))
		}
		p.line(indent, "]"+suffix)
	default:
		p.line(indent, prefix+string(appendScalar(nil, n, -1))+suffix)
	}
}

// inlineArray renders a short array of scalars on one line when it fits.
func (p *printer) inlineArray(indent int, prefix string, n Node, suffix string) (string, bool) {
	room := p.width - min(indent, p.width/2)
	b := []byte(prefix + "[")
	for i := range n.Items {
		it := n.Items[i]
		if it.Kind == KindArray || it.Kind == KindObject || len(b) > room*4 {
			return "", false
		}
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendScalar(b, it, room*4)
	}
	b = append(b, ']')
	b = append(b, suffix...)
	s := string(b)
	if Width(s) > room {
		return "", false
	}
	return s, true
}

func sep(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}

// HexDump renders b as offset, hex bytes and printable ASCII, as many bytes
// per line as the width allows (16 at 80 columns).
func HexDump(b []byte, width int) []string {
	if width <= 0 {
		return nil
	}
	offDigits := 8
	if width < 40 {
		offDigits = 4
	}
	// offset + 2 spaces + 3 per byte + group gap + " |" + ascii + "|"
	per := (width - offDigits - 5) / 4
	switch {
	case per >= 16:
		per = 16
	case per >= 8:
		per = 8
	case per < 1:
		per = 1
	}
	lines := make([]string, 0, len(b)/per+1)
	buf := make([]byte, 0, width+8)
	for off := 0; off < len(b); off += per {
		row := b[off:min(off+per, len(b))]
		buf = buf[:0]
		o := strconv.FormatUint(uint64(off), 16)
		for k := len(o); k < offDigits; k++ {
			buf = append(buf, '0')
		}
		buf = append(buf, o...)
		buf = append(buf, ' ')
		for i := 0; i < per; i++ {
			if i == 8 {
				buf = append(buf, ' ')
			}
			if i < len(row) {
				buf = append(buf, ' ', hexDigits[row[i]>>4], hexDigits[row[i]&0xf])
			} else {
				buf = append(buf, "   "...)
			}
		}
		buf = append(buf, " |"...)
		for _, c := range row {
			if c < 0x20 || c > 0x7e {
				c = '.'
			}
			buf = append(buf, c)
		}
		buf = append(buf, '|')
		lines = append(lines, Truncate(string(buf), width))
	}
	if len(b) == 0 {
		lines = append(lines, "(empty)")
	}
	return lines
}
