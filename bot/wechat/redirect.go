package wechat

import "net/http"

// RedirectTransport sends every request to addr (host:port) over plain HTTP, keeping method, path,
// query, headers and body; the library's cookie jar still sees the original WeChat URLs. It is
// the transport behind wechat.test_server, which lets tests run `qinqi serve` against the fake
// WeChat server of bot/wxfake. Never point it anywhere but a test server on this machine.
func RedirectTransport(addr string) http.RoundTripper {
	return &redirect{addr: addr, base: http.DefaultTransport.(*http.Transport).Clone()}
}

type redirect struct {
	addr string
	base *http.Transport
}

func (t *redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	r2 := req.Clone(req.Context())
	r2.URL.Scheme, r2.URL.Host, r2.Host = "http", t.addr, t.addr
	return t.base.RoundTrip(r2)
}
