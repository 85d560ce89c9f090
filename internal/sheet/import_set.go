package sheet

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"qinqi/store"
)

// job is one sheet of an ImportSet.
type job struct {
	src     Source
	info    kindInfo
	imp     importer
	l       layout
	errs    RowErrors // bad rows and missing columns
	skipped []Kind    // sheets with problems that this one refers to: its references were not checked
}

// name is what messages call the sheet: its file, else its kind.
func (j *job) name() string {
	if j.src.Name != "" {
		return j.src.Name
	}
	return string(j.src.Kind)
}

// planSet orders the sources by kind and checks each one's header and rows on their own (no
// database), so a file that cannot be read still lets the others be checked.
func planSet(srcs []Source, o Options) ([]*job, error) {
	if len(srcs) == 0 {
		return nil, errors.New("sheet: nothing to import")
	}
	var jobs []*job
	for _, src := range srcs {
		info, ok := infoOf(src.Kind)
		if !ok {
			return nil, fmt.Errorf("unknown sheet kind %q", src.Kind)
		}
		for _, j := range jobs {
			if j.src.Kind == src.Kind {
				return nil, fmt.Errorf("%s and %s are both %s sheets; import one of them", j.name(), src.Name, src.Kind)
			}
		}
		j := &job{src: src, info: info, imp: info.new(o)}
		j.parse()
		jobs = append(jobs, j)
	}
	slices.SortStableFunc(jobs, func(a, b *job) int { return slices.Index(Kinds, a.src.Kind) - slices.Index(Kinds, b.src.Kind) })
	return jobs, nil
}

func (j *job) parse() {
	if j.src.Err != nil {
		var rowErrs RowErrors
		if errors.As(j.src.Err, &rowErrs) {
			j.errs = rowErrs
		} else {
			j.errs = RowErrors{{Msg: j.src.Err.Error()}}
		}
		return
	}
	l, errs := mapHeader(j.imp.columns(), j.src.Table.Header)
	j.l, j.errs = l, errs
	if len(errs) == 0 {
		j.imp.parse(l, j.src.Table.Rows, &j.errs)
	}
}

// readable reports whether the sheet's rows were read at all (its file opened, its columns found).
func (j *job) readable() bool { return j.src.Err == nil && j.l.idx != nil && !j.missingColumns() }

func (j *job) missingColumns() bool {
	for _, e := range j.errs {
		if e.Row == 0 {
			return true
		}
	}
	return false
}

// run checks the sheet against the database (as the earlier sheets of the set left it, inside the
// transaction) and writes it when it and every sheet it refers to are good. bad collects the kinds
// that were not written, so the sheets after them know.
func (j *job) run(ctx context.Context, tx *store.Store, bad map[Kind]bool, o Options) (Result, error) {
	res := Result{Kind: j.src.Kind, Name: j.src.Name, Rows: len(j.src.Table.Rows)}
	if len(j.l.ignored) > 0 {
		res.Notes = append(res.Notes, "ignored column(s) "+maskIDs(strings.Join(j.l.ignored, ", ")))
	}
	for _, d := range j.info.deps {
		if bad[d] {
			j.skipped = append(j.skipped, d)
		}
	}
	if !j.readable() || len(j.skipped) > 0 {
		bad[j.src.Kind] = true
		return res, nil
	}
	if err := j.imp.resolve(ctx, tx, &j.errs); err != nil {
		return res, err
	}
	if len(j.errs) > 0 {
		bad[j.src.Kind] = true
		return res, nil
	}
	if err := j.imp.write(ctx, tx, &res); err != nil {
		return res, err
	}
	return res, tx.Audit(ctx, store.AuditEntry{Actor: o.Actor, Action: store.ActUpsert, Entity: "sheet:" + string(j.src.Kind),
		Detail: fmt.Sprintf("%d rows, %d new, %d updated", res.Rows, res.Created, res.Updated), At: o.Now})
}

// finisher is an importer with work once the whole set is written (a unit's 一把手 may arrive
// with the people sheet of the same set).
type finisher interface {
	finish(ctx context.Context, tx *store.Store, res *Result) error
}

func finish(ctx context.Context, tx *store.Store, jobs []*job, results []Result) error {
	for i, j := range jobs {
		if f, ok := j.imp.(finisher); ok {
			if err := f.finish(ctx, tx, &results[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// FileError is what kept one sheet of a set from being imported.
type FileError struct {
	Name    string    // the file, or the kind of a sheet without one
	Errs    RowErrors // its problems, by row; row 0 is the sheet as a whole
	Skipped []string  // files with problems it refers to, so its references were not checked
}

// FileErrors lists the sheets of a set with problems; nothing of the set was written.
type FileErrors []FileError

func (fe FileErrors) Error() string {
	n := 0
	for _, f := range fe {
		n += len(f.Errs)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "nothing was imported: %d problem(s)", n)
	for _, f := range fe {
		if len(f.Errs) > 0 {
			fmt.Fprintf(&b, "\n%s: %d problem(s)", f.Name, len(f.Errs))
			for _, e := range f.Errs {
				b.WriteString("\n  " + e.Error())
			}
		}
		if len(f.Skipped) > 0 {
			those := "that sheet was"
			if len(f.Skipped) > 1 {
				those = "those sheets were"
			}
			fmt.Fprintf(&b, "\n%s: its codes that refer to %s were not checked, because %s not imported; run the import again once the problems above are fixed",
				f.Name, strings.Join(f.Skipped, " and "), those)
		}
	}
	return b.String()
}

// collect gathers the problems of every sheet, or nil when all are good.
func collect(jobs []*job) FileErrors {
	names := map[Kind]string{}
	for _, j := range jobs {
		names[j.src.Kind] = j.name()
	}
	var fe FileErrors
	problems := false
	for _, j := range jobs {
		if len(j.errs) == 0 && len(j.skipped) == 0 {
			continue
		}
		problems = problems || len(j.errs) > 0
		slices.SortStableFunc(j.errs, func(a, b RowError) int { return a.Row - b.Row })
		f := FileError{Name: j.name(), Errs: j.errs}
		for _, k := range j.skipped {
			f.Skipped = append(f.Skipped, names[k])
		}
		fe = append(fe, f)
	}
	if !problems {
		return nil
	}
	return fe
}
