package handlers_test

import (
	"regexp"
	"testing"

	"qinqi/handlers"
	"qinqi/internal/domain"
	"qinqi/store"
)

func TestParseBindCodeArgs(t *testing.T) {
	cases := []struct {
		name, in, want string
		ok             bool
	}{
		{"code", "F01", "F01", true},
		{"spaces", "  P02 ", "P02", true},
		{"empty", "", "", false},
		{"two codes", "F01 F02", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := handlers.ParseBindCodeArgs(c.in)
			if got != c.want || ok != c.ok {
				t.Errorf("got %q %v", got, ok)
			}
		})
	}
}

func TestBindCodeCommand(t *testing.T) {
	code := regexp.MustCompile(`绑定码：(\d{6})`)
	cases := []struct {
		name, who, text, person string
		want                    []string
		issued                  bool
	}{
		{"household of own cadre", CoordLi, "绑定码 F01", HeadWang, []string{"王春发 的绑定码：", "当面交给本人", "绑定 "}, true},
		{"cadre of a sub-unit", CoordLi, "/bindcode P02", CadreZhao, []string{"赵敏 的绑定码："}, true},
		{"household of another unit", CoordChen, "绑定码 F01", HeadWang, []string{"不在您负责的单位范围内"}, false},
		{"unpaired household", CoordLi, "绑定码 F05", HeadNoPair, []string{"不在您负责的单位范围内"}, false},
		{"unknown code", CoordLi, "绑定码 ZZZ", "", []string{"没找到人员「ZZZ」", "户主写人员编号"}, false},
		{"cadre by name", CoordLi, "绑定码 赵敏", CadreZhao, []string{"赵敏 的绑定码："}, true},
		{"cadre of another unit by name", CoordChen, "绑定码 赵敏", "", []string{"没找到人员「赵敏」"}, false},
		{"household head by name is not looked up", CoordLi, "绑定码 王春发", "", []string{"没找到人员「王春发」"}, false},
		{"usage", CoordLi, "绑定码", "", []string{"请这样写：绑定码"}, false},
		{"cadre may not", CadreZhang, "绑定码 F01", HeadWang, []string{"不是您这个身份"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newCoordHarness(t)
			got := h.send(c.who, c.text)
			wantContains(t, got, c.want...)
			m := code.FindStringSubmatch(got)
			if (m != nil) != c.issued {
				t.Fatalf("code issued = %v, want %v: %s", m != nil, c.issued, got)
			}
			if !c.issued {
				return
			}
			a := h.audit("person", int64(h.person(c.person)))
			if len(a) != 1 || a[0].Action != store.ActBindCode || *a[0].ActorID != h.person(c.who) {
				t.Errorf("audit = %+v", a)
			}
			pid, err := h.st.UseBindCode(h.ctx, m[1], h.clk.Now())
			if err != nil || pid != h.person(c.person) {
				t.Errorf("code %s binds %d (%v), want %s", m[1], pid, err, c.person)
			}
		})
	}
}

// TestBindCodeOnlyForCadresAndHouseholds: in chat a coordinator (or an admin) gets codes only for
// cadres and households; a code for a coordinator, a unit head or an admin would let its holder act
// for a unit or the county, so chat refuses it and issues nothing (qinqi bindcode makes those).
func TestBindCodeOnlyForCadresAndHouseholds(t *testing.T) {
	cases := []struct{ name, who, target string }{
		{"admin placed in the coordinator's unit", CoordLi, "A02"},
		{"head of a sub-unit", CoordLi, "P09"},
		{"coordinator of a sub-unit", CoordLi, "C03"},
		{"the coordinator themself", CoordLi, CoordLi},
		{"admin asks for a coordinator", AdminSun, CoordChen},
		{"admin asks for an admin", AdminSun, "A02"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newCoordHarness(t)
			u1, u11 := h.unit("U01"), h.unit("U0101")
			h.must(h.st.UpsertPeople(h.ctx, []store.Person{
				{Code: "A02", Name: "周管理", Roles: domain.MakeRoles(domain.RoleAdmin), UnitID: &u1},
				{Code: "P09", Name: "吴科长", Roles: domain.MakeRoles(domain.RoleCadre), UnitID: &u11},
				{Code: "C03", Name: "郑联络", Roles: domain.MakeRoles(domain.RoleCoordinator), UnitID: &u11},
			}, nil))
			h.must(h.st.UpsertUnits(h.ctx, []store.Unit{{Code: "U0101", Name: "乡村振兴科", ParentID: &u1, HeadCode: "P09"}}, nil))
			got := h.send(c.who, "绑定码 "+c.target)
			wantContains(t, got, "不能在聊天里生成", "qinqi bindcode")
			if regexp.MustCompile(`\d{6}`).MatchString(got) {
				t.Fatalf("a code was issued: %s", got)
			}
			if a := h.audit("person", int64(h.person(c.target))); len(a) != 0 {
				t.Fatalf("audit rows %+v", a)
			}
		})
	}
	t.Run("an admin still issues codes for cadres anywhere", func(t *testing.T) {
		h := newCoordHarness(t)
		wantContains(t, h.send(AdminSun, "绑定码 "+CadreQian), "钱老师 的绑定码：")
	})
}
