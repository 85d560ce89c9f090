package wechat

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseLocation(t *testing.T) {
	for _, tc := range []struct {
		name, content, url, ori string
		lat, lng                float64
		label                   string
		ok                      bool
	}{
		{name: "web wechat format", content: "湖北省武汉市关山村:\n/cgi-bin/mmwebwx-bin/webwxgetpubliclinkimg?url=xxx&msgid=1&pictype=location",
			url: "http://apis.map.qq.com/uri/v1/geocoder?coord=30.5072,114.4123&referer=wxwebapp", lat: 30.5072, lng: 114.4123, label: "湖北省武汉市关山村", ok: true},
		{name: "unconverted br", content: "关山村:<br/>/cgi-bin/x?pictype=location", url: "https://apis.map.qq.com/x?location=30.1,114.2",
			lat: 30.1, lng: 114.2, label: "关山村", ok: true},
		{name: "xml fallback", content: "/cgi-bin/x?pictype=location", url: "https://apis.map.qq.com/x",
			ori: `<msg><location x="31.25" y="121.5" label="上海市" poiname="外滩"/></msg>`, lat: 31.25, lng: 121.5, label: "外滩 上海市", ok: true},
		{name: "no coordinates", content: "某地:\n/cgi-bin/x?pictype=location", url: "https://apis.map.qq.com/x", label: "某地"},
		{name: "out of range", content: "x:\ny", url: "https://apis.map.qq.com/x?coord=95,200", label: "x"},
		{name: "not numbers", content: "x:\ny", url: "https://apis.map.qq.com/x?coord=abc,def", label: "x"},
		{name: "zero point", content: "x:\ny", url: "https://apis.map.qq.com/x?coord=0,0", label: "x"},
		{name: "empty", content: "", url: "", label: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lat, lng, label, ok := parseLocation(tc.content, tc.url, tc.ori)
			if ok != tc.ok || math.Abs(lat-tc.lat) > 1e-9 || math.Abs(lng-tc.lng) > 1e-9 || label != tc.label {
				t.Fatalf("got %v %v %q %v, want %v %v %q %v", lat, lng, label, ok, tc.lat, tc.lng, tc.label, tc.ok)
			}
		})
	}
}

func FuzzParseLocation(f *testing.F) {
	f.Add("关山村:\n/x?pictype=location", "http://apis.map.qq.com/uri/v1/geocoder?coord=30.5,114.4", "")
	f.Add("", "::", `<msg><location x="1" y="2"/></msg>`)
	f.Fuzz(func(t *testing.T, content, url, ori string) {
		lat, lng, _, ok := parseLocation(content, url, ori)
		if ok && (lat < -90 || lat > 90 || lng < -180 || lng > 180 || math.IsNaN(lat) || math.IsNaN(lng)) {
			t.Fatalf("accepted invalid coordinates %v,%v", lat, lng)
		}
		if !ok && (lat != 0 || lng != 0) {
			t.Fatalf("coordinates %v,%v without ok", lat, lng)
		}
	})
}

func TestStripAt(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		names    []string
		want     string
	}{
		{"leading mention", "@亲戚助手\u2005签到 走访", []string{"亲戚助手"}, "签到 走访"},
		{"group card name", "@小助手 签到", []string{"亲戚助手", "小助手"}, "签到"},
		{"trailing mention", "签到@亲戚助手", []string{"亲戚助手"}, "签到"},
		{"other person kept", "@老王\u2005你好", []string{"亲戚助手"}, "@老王 你好"},
		{"empty name ignored", "@ 签到", []string{""}, "@ 签到"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := stripAt(tc.in, tc.names...); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSafeFileName(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "台账.xlsx", "台账.xlsx"},
		{"path stripped", "../../etc/passwd", "passwd"},
		{"windows path", `C:\x\报表.pdf`, "报表.pdf"},
		{"control chars", "a\x00b\nc.txt", "abc.txt"},
		{"empty", "", "file"},
		{"dots", "..", "file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := safeFileName(tc.in)
			if got != tc.want || strings.ContainsAny(got, "/\\") || !utf8.ValidString(got) {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
