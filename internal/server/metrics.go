package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"qinqi/bot"
	"qinqi/bot/wxofficial"
)

// Backlog reports what waits: inbound messages not yet handled, and pending outbound messages
// per bot account. It is asked at each scrape.
type Backlog func(ctx context.Context) (inbox int64, outbox map[string]int64, err error)

// Metrics are qinqi's Prometheus metrics, on their own registry.
type Metrics struct {
	reg      *prometheus.Registry
	in       *prometheus.CounterVec
	out      *prometheus.CounterVec
	sendErr  *prometheus.CounterVec
	jobs     *prometheus.CounterVec
	jobTime  *prometheus.HistogramVec
	requests *prometheus.CounterVec
}

// NewMetrics registers the metrics; backlog may be nil.
func NewMetrics(backlog Backlog) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(),
		in: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qinqi_messages_in_total",
			Help: "Inbound messages handed to the inbox, by channel."}, []string{"channel"}),
		out: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qinqi_messages_out_total",
			Help: "Send attempts by channel and status (sent, failed, retry, held, unavailable)."}, []string{"channel", "status"}),
		sendErr: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qinqi_send_errors_total",
			Help: "Failed sends by channel and platform errcode (0: not an API error)."}, []string{"channel", "code"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qinqi_job_runs_total",
			Help: "Scheduled job runs by job and status."}, []string{"job", "status"}),
		jobTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "qinqi_job_finish_seconds",
			Help:    "Seconds from a job's slot to the end of its run (the run's duration plus any start delay).",
			Buckets: []float64{0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600}}, []string{"job"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "qinqi_http_requests_total",
			Help: "Callback requests by path and HTTP status (403: forged, 413: too large)."}, []string{"path", "code"}),
	}
	m.reg.MustRegister(m.in, m.out, m.sendErr, m.jobs, m.jobTime, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if backlog != nil {
		m.reg.MustRegister(&backlogCollector{f: backlog})
	}
	return m
}

// Handler serves /metrics.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Job records a scheduler run (scheduler.RunnerOptions.OnResult).
func (m *Metrics) Job(job string, at time.Time, _ map[string]int, err error) {
	status := "ok"
	if err != nil {
		status = "error"
	}
	m.jobs.WithLabelValues(job, status).Inc()
	m.jobTime.WithLabelValues(job).Observe(time.Since(at).Seconds())
}

// Count wraps a callback handler to count its answers.
func (m *Metrics) Count(path string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		m.requests.WithLabelValues(path, strconv.Itoa(rec.code)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (s *statusWriter) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// Messenger wraps a channel to count its messages in and out. Do not wrap the console (the
// pipeline recognises it by type).
func (m *Metrics) Messenger(inner bot.Messenger) bot.Messenger {
	return &counted{Messenger: inner, m: m}
}

type counted struct {
	bot.Messenger
	m *Metrics
}

func (c *counted) Receive(ctx context.Context, h func(context.Context, bot.Message)) error {
	return c.Messenger.Receive(ctx, func(ctx context.Context, msg bot.Message) {
		c.m.in.WithLabelValues(c.Name()).Inc()
		h(ctx, msg)
	})
}

func (c *counted) Send(ctx context.Context, account string, out bot.Outgoing) error {
	err := c.Messenger.Send(ctx, account, out)
	c.m.out.WithLabelValues(c.Name(), sendStatus(err)).Inc()
	if err != nil {
		var held *bot.HeldError
		if !errors.As(err, &held) {
			c.m.sendErr.WithLabelValues(c.Name(), strconv.Itoa(wxofficial.Code(err))).Inc()
		}
	}
	return err
}

func sendStatus(err error) string {
	var held *bot.HeldError
	var un *bot.UnavailableError
	switch {
	case err == nil:
		return "sent"
	case errors.As(err, &held):
		return "held"
	case errors.As(err, &un):
		return "unavailable"
	case errors.Is(err, bot.ErrPermanent):
		return "failed"
	}
	return "retry"
}

// backlogCollector asks the store at scrape time, so every instance reports the shared backlog.
type backlogCollector struct{ f Backlog }

var (
	inboxDesc  = prometheus.NewDesc("qinqi_inbox_backlog", "Inbound messages stored and not yet handled.", nil, nil)
	outboxDesc = prometheus.NewDesc("qinqi_outbox_backlog", "Pending outbound messages by bot account.", []string{"account"}, nil)
)

func (b *backlogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- inboxDesc; ch <- outboxDesc }

func (b *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	in, out, err := b.f(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(inboxDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(inboxDesc, prometheus.GaugeValue, float64(in))
	for acct, n := range out {
		ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(n), acct)
	}
}
