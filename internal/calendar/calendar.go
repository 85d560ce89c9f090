// Package calendar computes the visit windows (festivals, harvests, the winter drive and custom campaigns)
// of a year in Asia/Shanghai from the lunar calendar and the 24 solar terms.
package calendar

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
)

// Window is one visit window; Start and End are Asia/Shanghai midnights and End is the last day (inclusive).
type Window struct {
	Code     string // unique per year, e.g. 2026-chunjie
	Name     string
	Kind     domain.CampaignKind
	Start    time.Time
	End      time.Time
	Required bool
	Tags     domain.Tags // empty: every household
	Programs []string    // program codes; empty: every programme
}

// Contains reports whether day (any time of it) lies in the window.
func (w Window) Contains(day time.Time) bool {
	d := clock.Day(day)
	return !d.Before(w.Start) && !d.After(w.End)
}

// Days is the window's length in days.
func (w Window) Days() int { return int(w.End.Sub(w.Start).Hours()/24+0.5) + 1 }

// Halfway is the middle day of the window (the day of the second reminder).
func (w Window) Halfway() time.Time { return w.Start.AddDate(0, 0, (w.Days()-1)/2) }

// Applies reports whether the window covers a household with these tags in this programme.
func (w Window) Applies(tags domain.Tags, program string) bool {
	if len(w.Programs) > 0 && !contains(w.Programs, program) {
		return false
	}
	if w.Tags == "" {
		return true
	}
	for t := range w.Tags.All() {
		if tags.Has(t) {
			return true
		}
	}
	return false
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// bound is one parsed end of a window.
type bound struct {
	kind  byte // 'f' fixed MM-DD, 'e' month end, 'l' lunar, 't' solar term, 'a' absolute date
	month int
	day   int
	year  int
	term  string
}

var (
	reFixed    = regexp.MustCompile(`^(\d{2})-(\d{2})$`)
	reMonthEnd = regexp.MustCompile(`^(\d{2})-end$`)
	reLunar    = regexp.MustCompile(`^L(\d{2})-(\d{2})$`)
	reAbsolute = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
)

// parseBound accepts MM-DD, MM-end, L<MM>-<DD> (lunar), YYYY-MM-DD and solar term names.
func parseBound(s string) (bound, error) {
	s = strings.TrimSpace(s)
	atoi := func(x string) int { n, _ := strconv.Atoi(x); return n }
	switch {
	case IsSolarTerm(s):
		return bound{kind: 't', term: s}, nil
	case reMonthEnd.MatchString(s):
		m := reMonthEnd.FindStringSubmatch(s)
		if b := (bound{kind: 'e', month: atoi(m[1])}); b.month >= 1 && b.month <= 12 {
			return b, nil
		}
	case reFixed.MatchString(s):
		m := reFixed.FindStringSubmatch(s)
		b := bound{kind: 'f', month: atoi(m[1]), day: atoi(m[2])}
		if validMD(b.month, b.day) {
			return b, nil
		}
	case reLunar.MatchString(s):
		m := reLunar.FindStringSubmatch(s)
		b := bound{kind: 'l', month: atoi(m[1]), day: atoi(m[2])}
		if b.month >= 1 && b.month <= 12 && b.day >= 1 && b.day <= 30 {
			return b, nil
		}
	case reAbsolute.MatchString(s):
		m := reAbsolute.FindStringSubmatch(s)
		b := bound{kind: 'a', year: atoi(m[1]), month: atoi(m[2]), day: atoi(m[3])}
		if t := clock.Date(b.year, time.Month(b.month), b.day); t.Month() == time.Month(b.month) && t.Day() == b.day {
			return b, nil
		}
	}
	return bound{}, fmt.Errorf("%q is not a date: use MM-DD, MM-end, L<MM>-<DD> (lunar), YYYY-MM-DD or a solar term such as 清明", s)
}

func validMD(m, d int) bool {
	t := clock.Date(2024, time.Month(m), d) // a leap year, so 02-29 is accepted
	return m >= 1 && m <= 12 && t.Day() == d
}

// days resolves the bound to its days in Gregorian year y, ascending. A lunar date is taken from
// every lunar year that puts it in y: 腊月初一 of lunar year y-1 falls in January of y and that of
// lunar year y in December, so a bound late in the lunar year may have two days in one Gregorian
// year. Every other bound has exactly one.
func (b bound) days(y int) ([]time.Time, error) {
	switch b.kind {
	case 't':
		d, err := SolarTermDate(y, b.term)
		return []time.Time{d}, err
	case 'e':
		return []time.Time{clock.Date(y, time.Month(b.month)+1, 1).AddDate(0, 0, -1)}, nil
	case 'a':
		return []time.Time{clock.Date(b.year, time.Month(b.month), b.day)}, nil
	case 'l':
		var out []time.Time
		for _, ly := range []int{y - 1, y} {
			d, err := LunarDate(ly, b.month, b.day)
			if err != nil {
				return nil, err
			}
			if d.Year() == y {
				out = append(out, d)
			}
		}
		return out, nil
	}
	d := clock.Date(y, time.Month(b.month), b.day)
	if d.Day() != b.day { // 02-29 in a common year
		d = clock.Date(y, time.Month(b.month)+1, 1).AddDate(0, 0, -1)
	}
	return []time.Time{d}, nil
}

// firstFrom is the bound's first day on or after from (within two Gregorian years).
func (b bound) firstFrom(from time.Time) (time.Time, bool, error) {
	for _, y := range []int{from.Year(), from.Year() + 1} {
		ds, err := b.days(y)
		if err != nil {
			return time.Time{}, false, err
		}
		for _, d := range ds {
			if !d.Before(from) {
				return d, true, nil
			}
		}
	}
	return time.Time{}, false, nil
}

// source is one configured window before it is placed in a year.
type source struct {
	slug, name string
	kind       domain.CampaignKind
	festival   string // lunar festival whose day anchors DaysBefore/DaysAfter
	from, to   *bound
	before     int
	after      int
	required   bool
	tags       domain.Tags
	programs   []string
}

// Calendar computes windows from the configuration. A year's windows are computed once and kept: the
// astronomical computation is costly and the scheduler asks every day. Safe for concurrent use.
type Calendar struct {
	sources []source
	mu      sync.Mutex
	years   map[int][]Window
}

// New parses every bound once, so a bad config fails at start-up with the key named.
func New(w config.Windows, campaigns []config.Campaign) (*Calendar, error) {
	builtins := []struct {
		key, slug, name string
		kind            domain.CampaignKind
		festival        string
		spec            config.WindowSpec
	}{
		{"new_year", "yuandan", "元旦", domain.CampaignFestival, "", w.NewYear},
		{"spring_festival", "chunjie", "春节", domain.CampaignFestival, "春节", w.SpringFest},
		{"dragon_boat", "duanwu", "端午", domain.CampaignFestival, "端午", w.DragonBoat},
		{"mid_autumn", "zhongqiu", "中秋", domain.CampaignFestival, "中秋", w.MidAutumn},
		{"spring_sowing", "chungeng", "春耕", domain.CampaignHarvest, "", w.SpringSowing},
		{"autumn_harvest", "qiushou", "秋收", domain.CampaignHarvest, "", w.AutumnHarvest},
		{"winter_drive", "nuandong", "暖冬行动", domain.CampaignWinter, "", w.WinterDrive},
	}
	c := &Calendar{years: map[int][]Window{}}
	for _, b := range builtins {
		if !b.spec.On() {
			continue
		}
		s := source{slug: b.slug, name: b.name, kind: b.kind, festival: b.festival,
			before: b.spec.DaysBefore, after: b.spec.DaysAfter, required: b.spec.IsRequired()}
		if err := s.setBounds(b.spec.From, b.spec.To); err != nil {
			return nil, fmt.Errorf("config: windows.%s: %w", b.key, err)
		}
		if s.from == nil && s.festival == "" {
			return nil, fmt.Errorf("config: windows.%s: needs from and to", b.key)
		}
		c.sources = append(c.sources, s)
	}
	for i, cp := range campaigns {
		s, err := campaignSource(cp)
		if err != nil {
			return nil, fmt.Errorf("config: campaigns[%d]: %w", i, err)
		}
		c.sources = append(c.sources, s)
	}
	return c, nil
}

func (s *source) setBounds(from, to string) error {
	if from == "" && to == "" {
		return nil
	}
	if from == "" || to == "" {
		return fmt.Errorf("from and to must both be set")
	}
	f, err := parseBound(from)
	if err != nil {
		return fmt.Errorf("from: %w", err)
	}
	t, err := parseBound(to)
	if err != nil {
		return fmt.Errorf("to: %w", err)
	}
	s.from, s.to = &f, &t
	return nil
}

func campaignSource(cp config.Campaign) (source, error) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(cp.Name))
	s := source{slug: fmt.Sprintf("c%08x", h.Sum32()), name: strings.TrimSpace(cp.Name), kind: domain.CampaignCustom,
		required: cp.Required, programs: cp.Programs}
	var tags []domain.Tag
	for _, t := range cp.Tags {
		tags = append(tags, domain.Tag(t))
	}
	s.tags = domain.MakeTags(tags...)
	if err := s.setBounds(cp.From, cp.To); err != nil {
		return source{}, err
	}
	if s.from == nil {
		return source{}, fmt.Errorf("from and to must both be set")
	}
	return s, nil
}

// place computes the source's windows anchored in Gregorian year y (its festival day, or its start).
// The first is coded y-<slug>; a second start in the same year (a lunar start in both January and
// December) gets y-<slug>-2.
func (s source) place(y int) ([]Window, error) {
	base := Window{Code: fmt.Sprintf("%d-%s", y, s.slug), Name: s.name, Kind: s.kind, Required: s.required,
		Tags: s.tags, Programs: s.programs}
	if s.from == nil {
		day, err := FestivalDate(y, s.festival)
		if err != nil {
			return nil, err
		}
		base.Start, base.End = day.AddDate(0, 0, -s.before), day.AddDate(0, 0, s.after)
		return []Window{base}, nil
	}
	if s.from.kind == 'a' && s.from.year != y {
		return nil, nil
	}
	starts, err := s.from.days(y)
	if err != nil {
		return nil, err
	}
	var out []Window
	for i, start := range starts {
		w := base
		if i > 0 {
			w.Code = fmt.Sprintf("%s-%d", base.Code, i+1)
		}
		w.Start = start
		end, ok, err := s.to.firstFrom(start) // spans the new year when needed: 12-25 → 01-03
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("calendar: %s ends before it starts", s.name)
		}
		w.End = end
		out = append(out, w)
	}
	return out, nil
}

// Windows lists the windows that start in Gregorian year y, by start day. 元旦 and 暖冬行动 start in
// December/November and run into y+1, so the window around 2027-01-01 belongs to 2026.
func (c *Calendar) Windows(y int) ([]Window, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ws, ok := c.years[y]; ok {
		return append([]Window(nil), ws...), nil
	}
	ws, err := c.compute(y)
	if err != nil {
		return nil, err
	}
	c.years[y] = ws
	return append([]Window(nil), ws...), nil
}

func (c *Calendar) compute(y int) ([]Window, error) {
	var out []Window
	for _, s := range c.sources {
		// A festival day near the new year (e.g. 春节 with many days before) may start in y-1; those are
		// found by asking about y+1 as well.
		for _, yy := range []int{y, y + 1} {
			ws, err := s.place(yy)
			if err != nil {
				return nil, err
			}
			for _, w := range ws {
				if w.Start.Year() == y && !hasCode(out, w.Code) {
					out = append(out, w)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

func hasCode(ws []Window, code string) bool {
	for _, w := range ws {
		if w.Code == code {
			return true
		}
	}
	return false
}

// Active lists the windows that contain day.
func (c *Calendar) Active(day time.Time) ([]Window, error) {
	d := clock.Day(day)
	var out []Window
	for _, y := range []int{d.Year() - 1, d.Year()} {
		ws, err := c.Windows(y)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			if w.Contains(d) {
				out = append(out, w)
			}
		}
	}
	return out, nil
}

// Next is the first window starting after day; ok is false when none starts within two years.
func (c *Calendar) Next(day time.Time) (Window, bool, error) {
	d := clock.Day(day)
	for _, y := range []int{d.Year(), d.Year() + 1, d.Year() + 2} {
		ws, err := c.Windows(y)
		if err != nil {
			return Window{}, false, err
		}
		for _, w := range ws {
			if w.Start.After(d) {
				return w, true, nil
			}
		}
	}
	return Window{}, false, nil
}
