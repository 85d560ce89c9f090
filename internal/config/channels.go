package config

import (
	"fmt"
	"net/url"
	"time"
)

// HTTP is the server `qinqi serve` runs for the official channels' callbacks, /healthz and
// /metrics. TLS is the reverse proxy's job.
type HTTP struct {
	Listen string `yaml:"listen"` // host:port; default 127.0.0.1:8080
}

// Channels says how messages qinqi starts choose among a person's channels.
type Channels struct {
	// Prefer orders the transports (wecom, mp, wechat) for someone who has not written on any
	// configured account yet; a person who has is reached where they last wrote.
	Prefer []string `yaml:"prefer"`
}

// ChannelLimits override the outbox section for one official channel; zero values inherit it.
type ChannelLimits struct {
	Every       time.Duration `yaml:"every"`
	Burst       int           `yaml:"burst"`
	DailyCap    int           `yaml:"daily_cap"`
	QuietStart  string        `yaml:"quiet_start"`
	QuietEnd    string        `yaml:"quiet_end"`
	MemberEvery time.Duration `yaml:"member_every"` // per recipient
	MemberBurst int           `yaml:"member_burst"`
}

// WeCom is one self-built WeCom (or 政务微信) app; empty CorpID means the channel is off.
type WeCom struct {
	Name    string        `yaml:"name"` // bot account name; default "wecom"
	CorpID  string        `yaml:"corp_id"`
	AgentID string        `yaml:"agent_id"`
	Secret  string        `yaml:"secret"` // env QINQI_WECOM_SECRET
	Token   string        `yaml:"token"`
	AESKey  string        `yaml:"aes_key"` // env QINQI_WECOM_AES_KEY
	APIBase string        `yaml:"api_base"`
	Limits  ChannelLimits `yaml:"limits"`
}

// On reports whether the WeCom channel is configured.
func (w WeCom) On() bool { return w.CorpID != "" }

// MP is one 服务号; empty AppID means the channel is off.
type MP struct {
	Name      string                `yaml:"name"` // bot account name; default "mp"
	AppID     string                `yaml:"app_id"`
	Secret    string                `yaml:"secret"` // env QINQI_MP_SECRET
	Token     string                `yaml:"token"`
	AESKey    string                `yaml:"aes_key"` // env QINQI_MP_AES_KEY
	APIBase   string                `yaml:"api_base"`
	Templates map[string]MPTemplate `yaml:"templates"` // request_status | visit_confirmation | callback_question
	HoldMax   time.Duration         `yaml:"hold_max"`  // a held message fails after this long
	Limits    ChannelLimits         `yaml:"limits"`
}

// On reports whether the 服务号 channel is configured.
func (m MP) On() bool { return m.AppID != "" }

// MPTemplate is an approved template: its id and which keyword carries the text or the time.
type MPTemplate struct {
	ID       string            `yaml:"id"`
	Fields   map[string]string `yaml:"fields"` // keyword → text | time
	MaxRunes int               `yaml:"max_runes"`
}

var mpPurposes = map[string]bool{"request_status": true, "visit_confirmation": true, "callback_question": true}

func (c Config) validateChannels(bad badFunc) {
	if c.HTTP.Listen == "" {
		bad("http.listen", "is empty; give host:port such as 127.0.0.1:8080")
	}
	for i, t := range c.Channels.Prefer {
		if !oneOf(t, "wecom", "mp", "wechat") {
			bad(fmt.Sprintf("channels.prefer[%d]", i), "must be wecom, mp or wechat, not %q", t)
		}
	}
	if w := c.WeCom; w.On() {
		need(bad, "wecom", map[string]string{"agent_id": w.AgentID, "secret": w.Secret, "token": w.Token})
		checkAESKey(bad, "wecom.aes_key", w.AESKey)
		checkBase(bad, "wecom.api_base", w.APIBase)
		c.checkLimits(bad, "wecom.limits", w.Limits)
	}
	if m := c.MP; m.On() {
		need(bad, "mp", map[string]string{"secret": m.Secret, "token": m.Token})
		checkAESKey(bad, "mp.aes_key", m.AESKey)
		checkBase(bad, "mp.api_base", m.APIBase)
		c.checkLimits(bad, "mp.limits", m.Limits)
		for purpose, t := range m.Templates {
			key := "mp.templates." + purpose
			if !mpPurposes[purpose] {
				bad(key, "unknown purpose; use request_status, visit_confirmation or callback_question")
			}
			if t.ID == "" || len(t.Fields) == 0 {
				bad(key, "needs an id and at least one field")
			}
			for f, what := range t.Fields {
				if !oneOf(what, "text", "time") {
					bad(key+".fields."+f, "must be text or time, not %q", what)
				}
			}
		}
	}
	if c.WeCom.On() && c.MP.On() && c.WeCom.Name == c.MP.Name {
		bad("mp.name", "%q is also wecom.name; each account needs its own name", c.MP.Name)
	}
}

func need(bad badFunc, section string, vals map[string]string) {
	for k, v := range vals {
		if v == "" {
			bad(section+"."+k, "is empty; copy it from the admin console")
		}
	}
}

func checkAESKey(bad badFunc, key, v string) {
	if len(v) != 43 {
		bad(key, "must be the 43-character EncodingAESKey from the admin console (got %d characters)", len(v))
	}
}

func checkBase(bad badFunc, key, v string) {
	if v == "" {
		return
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad(key, "must be a URL such as https://qyapi.weixin.qq.com, not %q", v)
	}
}

func (c Config) checkLimits(bad badFunc, key string, l ChannelLimits) {
	if l.Every < 0 || l.Burst < 0 || l.DailyCap < 0 || l.MemberEvery < 0 || l.MemberBurst < 0 {
		bad(key, "values must not be negative")
	}
	for k, v := range map[string]string{"quiet_start": l.QuietStart, "quiet_end": l.QuietEnd} {
		if v == "" {
			continue
		}
		if _, err := ClockTime(v); err != nil {
			bad(key+"."+k, "%v", err)
		}
	}
}
