package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

const (
	maxUnzipped = 512 << 20 // an .xlsx unpacked, all parts together
	maxParts    = 10_000    // files inside an .xlsx
	maxXMLText  = 1 << 20   // bytes between two tags inside an .xlsx (a cell's text is far less)
)

// checkZip measures an .xlsx before excelize unpacks it, so a zip bomb is refused in the time it
// takes to inflate it once, in a fixed buffer: the sizes its zip declares (archive/zip refuses to
// read past a declared size), then, streaming each XML part, the rows and cells of each worksheet
// and the longest text between two tags. Excelize would otherwise hold a worksheet of up to
// UnzipXMLSizeLimit in memory and decode every row before the row limit could be checked.
func checkZip(b []byte) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return errors.New("xlsx: the file is not an .xlsx workbook (password-protected, or an old .xls renamed?); save it from Excel or WPS as .xlsx without a password")
	}
	if len(zr.File) > maxParts {
		return fmt.Errorf("xlsx: the workbook holds more than %s parts; save it again from Excel or WPS", thousands(maxParts))
	}
	var total uint64
	for _, f := range zr.File {
		if f.UncompressedSize64 > maxUnzipped || total+f.UncompressedSize64 > maxUnzipped {
			return fmt.Errorf("xlsx: the workbook unpacks to more than %d MB; a county sheet is far smaller (is it a copy of a whole database?)", maxUnzipped>>20)
		}
		total += f.UncompressedSize64
	}
	for _, f := range zr.File {
		if !isXMLPart(f.Name) {
			continue
		}
		if err := scanPart(f); err != nil {
			return err
		}
	}
	return nil
}

func isXMLPart(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".xml") || strings.HasSuffix(n, ".rels") || strings.HasSuffix(n, ".vml")
}

// partScan is the state of one streaming pass over an XML part.
type partScan struct {
	name       string
	text       int    // bytes since the last '<'
	chars      int    // characters of that text, to report the length of an over-long one
	head       []byte // the start of the current tag, up to headLen bytes
	inHead     bool
	rows       int // rows with at least one cell
	cells      int
	row        int // the r of the last <row>, or its position
	rowHasCell bool
}

const headLen = 40

func scanPart(f *zip.File) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("xlsx: damaged workbook (%s: %v)", f.Name, err)
	}
	defer rc.Close()
	st := partScan{name: f.Name, head: make([]byte, 0, headLen)}
	buf := make([]byte, 64<<10)
	for {
		n, err := rc.Read(buf)
		if perr := st.feed(buf[:n]); perr != nil {
			return perr
		}
		if errors.Is(err, io.EOF) {
			return st.endText()
		}
		if err != nil {
			return fmt.Errorf("xlsx: damaged workbook (%s: %v)", f.Name, err)
		}
	}
}

// feed scans one chunk.
func (st *partScan) feed(p []byte) error {
	for len(p) > 0 {
		if st.inHead {
			var err error
			if p, err = st.readHead(p); err != nil {
				return err
			}
			continue
		}
		i := bytes.IndexByte(p, '<')
		if i < 0 {
			st.addText(p)
			return nil
		}
		st.addText(p[:i])
		if err := st.endText(); err != nil {
			return err
		}
		st.text, st.chars, st.head, st.inHead = 0, 0, st.head[:0], true
		p = p[i+1:]
	}
	return nil
}

func (st *partScan) addText(p []byte) {
	st.text += len(p)
	for _, c := range p { // counting lead bytes stays exact when a chunk ends inside a character
		if c&0xC0 != 0x80 {
			st.chars++
		}
	}
}

// endText checks the text that just ended at a '<' or at the end of the part.
func (st *partScan) endText() error {
	if st.text <= maxXMLText {
		return nil
	}
	where := fmt.Sprintf("in %s", st.name)
	switch {
	case strings.HasPrefix(strings.ToLower(st.name), "xl/worksheets/") && st.row > 0:
		return RowErrors{{Row: st.row, Msg: fmt.Sprintf("a cell is about %s characters long; a cell holds at most %s", thousands(st.chars), thousands(MaxCellChars))}}
	case strings.EqualFold(st.name, "xl/sharedStrings.xml"):
		where = "among the texts of its cells"
	}
	return fmt.Errorf("xlsx: the workbook holds a text of about %s characters %s; a cell holds at most %s",
		thousands(st.chars), where, thousands(MaxCellChars))
}

// readHead collects the start of a tag, then counts rows and cells when it is complete.
func (st *partScan) readHead(p []byte) ([]byte, error) {
	i := 0
	for ; i < len(p); i++ {
		if p[i] == '>' || p[i] == '<' || len(st.head) == headLen {
			st.inHead = false
			break
		}
		st.head = append(st.head, p[i])
	}
	if st.inHead {
		return p[i:], nil
	}
	if p[i] == '>' {
		i++
	}
	st.tag()
	return p[i:], st.limits()
}

// tag counts a <row> or <c> start tag (with any namespace prefix).
func (st *partScan) tag() {
	name := st.head
	if end := bytes.IndexAny(name, " \t\r\n/>"); end >= 0 {
		name = name[:end]
	}
	if c := bytes.IndexByte(name, ':'); c >= 0 {
		name = name[c+1:]
	}
	switch string(name) {
	case "row":
		st.rowHasCell = false
		st.row++
		if r, ok := attrInt(st.head, "r"); ok {
			st.row = r
		}
	case "c":
		st.cells++
		if !st.rowHasCell {
			st.rowHasCell = true
			st.rows++
		}
	}
}

// attrInt reads name="123" from a tag head.
func attrInt(head []byte, name string) (int, bool) {
	key := []byte(" " + name + `="`)
	i := bytes.Index(head, key)
	if i < 0 {
		return 0, false
	}
	v := head[i+len(key):]
	if j := bytes.IndexByte(v, '"'); j >= 0 {
		v = v[:j]
	}
	n, err := strconv.Atoi(string(v))
	return n, err == nil
}

// limits reports a part whose rows or cells are over the limits; the header row is one more.
func (st *partScan) limits() error {
	switch {
	case st.rows > MaxRows+1:
		return fmt.Errorf("xlsx: a worksheet has more than %s rows (rows holding only formatting count too); one import takes at most %s data rows: split the sheet, or delete the empty rows below the data",
			thousands(MaxRows), thousands(MaxRows))
	case st.cells > MaxCells:
		return fmt.Errorf("xlsx: a worksheet has more than %s cells (formatted empty cells count too); delete unused columns and rows, or split the sheet", thousands(MaxCells))
	}
	return nil
}
