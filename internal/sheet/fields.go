package sheet

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"qinqi/internal/domain"

	"github.com/xuri/excelize/v2"
)

var (
	reCode   = regexp.MustCompile(`^[\p{Han}A-Za-z0-9_.\-]{1,32}$`)
	reMobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	reDigits = regexp.MustCompile(`^[0-9]+$`)
	reIDCard = regexp.MustCompile(`^[0-9]{17}[0-9X]$`)
	reOffice = regexp.MustCompile(`^[0-9]{3,4}-?[0-9]{7,8}(-[0-9]{1,6})?$|^1[3-9][0-9]{9}$`)
	reDate   = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)
	reSci    = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?[eE]\+?([0-9]{1,2})$`)
)

// checkCode validates an import key (户编号, 人员编号 …).
func checkCode(s string) error {
	if !reCode.MatchString(s) {
		return errors.New("is not a valid code (1–32 letters, digits, Chinese characters, - _ .)")
	}
	return nil
}

// errScientific is a long number Excel turned into scientific notation: in a CSV (and in the cell
// Excel shows) 13995412345 becomes 1.39954E+10, and the dropped digits cannot be recovered.
var errScientific = errors.New("is in scientific notation, so Excel has dropped its last digits: in Excel set the column's format to 文本 (Text), enter the numbers again, then save")

// errRounded is a long number kept in a number cell: Excel keeps 15 significant digits, so an ID
// number typed there ends in zeros (362329197805120013 → 362329197805120000).
var errRounded = errors.New("has lost its last digits (a number cell keeps only 15 digits): in Excel set the column's format to 文本 (Text), enter the numbers again, then save")

// rounded reports digits that look like a rounded number cell: 16 or more digits of which at most
// 15 are significant (the rest trailing zeros).
func rounded(s string) bool {
	return len(s) >= 16 && reDigits.MatchString(s) && len(strings.TrimRight(s, "0")) <= 15
}

// normDigits removes the separators people type into numbers ("138 0000 0001", "138-0000-0001").
// A number in scientific notation is written out only when it carries every digit (an .xlsx
// may store 13995412345 as 1.3995412345E+10); otherwise it is errScientific.
func normDigits(s string) (string, error) {
	s = strings.NewReplacer(" ", "", "-", "", "\u3000", "").Replace(s)
	m := reSci.FindStringSubmatch(s)
	if m == nil {
		return s, nil
	}
	exp, _ := strconv.Atoi(m[3])
	if len(m[2]) != exp { // fewer digits than the number has: lost; more: not a whole number
		return "", errScientific
	}
	return m[1] + m[2], nil
}

// parseMobile validates an 11-digit mainland mobile number.
func parseMobile(s string) (string, error) {
	d, err := normDigits(s)
	if err != nil {
		return "", err
	}
	d = strings.TrimPrefix(d, "+86")
	switch {
	case !reDigits.MatchString(d):
		return "", errors.New("is not a phone number (digits only)")
	case len(d) != 11:
		return "", errors.New("is not 11 digits")
	case !reMobile.MatchString(d):
		return "", errors.New("is not a mobile number (must start with 13–19)")
	}
	return d, nil
}

// parseOfficePhone accepts a landline (0571-87654321, with optional extension) or a mobile.
func parseOfficePhone(s string) (string, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if !reOffice.MatchString(s) {
		return "", errors.New("is not a phone number like 0571-87654321")
	}
	return s, nil
}

// idWeights and idCheck are the GB 11643 check-digit rule of the 18-digit resident ID.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheck = "10X98765432"

// parseIDNumber validates an 18-character resident ID number including its check digit.
func parseIDNumber(s string) (string, error) {
	s, err := normDigits(s)
	if err != nil {
		return "", err
	}
	s = strings.ToUpper(s)
	if rounded(s) {
		return "", errRounded
	}
	if !reIDCard.MatchString(s) {
		return "", errors.New("is not an 18-character ID number")
	}
	sum := 0
	for i, w := range idWeights {
		sum += int(s[i]-'0') * w
	}
	if idCheck[sum%11] != s[17] {
		return "", errors.New("has a wrong check digit (typo?)")
	}
	return s, nil
}

// parseDate reads 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日, 20260105 or an Excel serial day.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if m := reDate.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return validDate(y, mo, d)
	}
	if len(s) == 8 && reDigits.MatchString(s) {
		y, _ := strconv.Atoi(s[:4])
		mo, _ := strconv.Atoi(s[4:6])
		d, _ := strconv.Atoi(s[6:])
		return validDate(y, mo, d)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 && f < 2958466 { // Excel's range: 1900 to 9999
		t, err := excelize.ExcelDateToTime(f, false)
		if err == nil {
			return validDate(t.Year(), int(t.Month()), t.Day())
		}
	}
	return time.Time{}, errors.New("is not a date like 2026-01-05")
}

func validDate(y, m, d int) (time.Time, error) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if y < 1990 || y > 2100 || t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, errors.New("is not a real date between 1990 and 2100")
	}
	return t, nil
}

// parseInt reads a whole number in [lo, hi]; "3人" and "3.0" (Excel numbers) are accepted.
func parseInt(s string, lo, hi int) (int, error) {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "人"), "口")
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int(f)) {
		s = strconv.Itoa(int(f))
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New("is not a whole number")
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("must be between %d and %d", lo, hi)
	}
	return n, nil
}

// parseBool reads the ways a yes/no column is filled in; empty is no.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "否", "不是", "no", "n", "0", "false", "×", "x", "无":
		return false, nil
	case "是", "yes", "y", "1", "true", "√", "✓", "✔", "有", "重点", "重点户":
		return true, nil
	}
	return false, errors.New("is not 是 or 否")
}

// parseCoord reads a longitude or latitude in decimal degrees within China's bounds.
func parseCoord(s string, lo, hi float64) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimRight(s, "°"), 64)
	if err != nil {
		return 0, errors.New("is not a decimal number of degrees")
	}
	if f < lo || f > hi {
		return 0, fmt.Errorf("is outside China (%g–%g); are 经度 and 纬度 swapped?", lo, hi)
	}
	return f, nil
}

// splitList splits "低保、残疾，大病" on every separator staff use.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune("、,，;；/| \u3000", r)
	})
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// tagAliases maps the words counties use onto store tags.
var tagAliases = map[string]domain.Tag{
	"脱贫户": domain.TagLifted, "脱贫": domain.TagLifted, "脱贫人口": domain.TagLifted,
	"监测户": domain.TagMonitored, "监测": domain.TagMonitored, "监测对象": domain.TagMonitored, "防返贫监测户": domain.TagMonitored,
	"低保": domain.TagDibao, "低保户": domain.TagDibao,
	"特困": domain.TagTekun, "特困户": domain.TagTekun, "特困供养": domain.TagTekun, "五保": domain.TagTekun, "五保户": domain.TagTekun,
	"留守儿童": domain.TagLeftChildren, "留守": domain.TagLeftChildren,
	"空巢老人": domain.TagEmptyNest, "空巢": domain.TagEmptyNest, "独居老人": domain.TagEmptyNest,
	"残疾": domain.TagDisabled, "残疾人": domain.TagDisabled, "残疾户": domain.TagDisabled,
	"大病": domain.TagSerialIllness, "大病户": domain.TagSerialIllness, "重病": domain.TagSerialIllness,
}

// parseTags reads a tag list; an unknown word is an error naming the accepted ones.
func parseTags(s string) (domain.Tags, error) {
	var tags []domain.Tag
	for _, p := range splitList(s) {
		t, ok := tagAliases[p]
		if !ok {
			return "", fmt.Errorf("has unknown type %q (use %s)", p, knownTags())
		}
		tags = append(tags, t)
	}
	return domain.MakeTags(tags...), nil
}

func knownTags() string {
	s := make([]string, len(domain.KnownTags))
	for i, t := range domain.KnownTags {
		s[i] = string(t)
	}
	return strings.Join(s, "、")
}

// roleAliases maps the 角色 words onto roles.
var roleAliases = map[string]domain.Role{
	"干部": domain.RoleCadre, "帮扶干部": domain.RoleCadre, "帮扶责任人": domain.RoleCadre, "结对干部": domain.RoleCadre, "cadre": domain.RoleCadre,
	"协调员": domain.RoleCoordinator, "联络员": domain.RoleCoordinator, "督查员": domain.RoleCoordinator, "coordinator": domain.RoleCoordinator,
	"管理员": domain.RoleAdmin, "admin": domain.RoleAdmin,
	"户主": domain.RoleHousehold, "家庭成员": domain.RoleHousehold, "群众": domain.RoleHousehold, "household": domain.RoleHousehold,
}

// parseRoles reads a role list and reports whether 户主 was among the words.
func parseRoles(s string) (domain.Roles, bool, error) {
	var roles []domain.Role
	head := false
	for _, p := range splitList(s) {
		r, ok := roleAliases[strings.ToLower(p)]
		if !ok {
			return "", false, fmt.Errorf("has unknown role %q (use 干部、协调员、管理员、户主 or 家庭成员)", p)
		}
		head = head || p == "户主"
		roles = append(roles, r)
	}
	if len(roles) == 0 {
		return "", false, errors.New("is empty")
	}
	return domain.MakeRoles(roles...), head, nil
}

// parseLevel reads 级别.
func parseLevel(s string) (domain.RegionLevel, error) {
	switch strings.ToLower(s) {
	case "县", "区", "县区", "区县", "县级", "县(区)", "市", "county":
		return domain.LevelCounty, nil
	case "乡", "镇", "乡镇", "街道", "乡镇街道", "乡(镇)", "township":
		return domain.LevelTownship, nil
	case "村", "社区", "村社区", "村(社区)", "居委会", "village":
		return domain.LevelVillage, nil
	}
	return "", errors.New("is not 县, 乡镇 or 村")
}

// levelRank orders levels for the parent check (a village's parent is a township …).
func levelRank(l domain.RegionLevel) int {
	switch l {
	case domain.LevelCounty:
		return 1
	case domain.LevelTownship:
		return 2
	}
	return 3
}
