package bench

import "qinqi/internal/config"

// DeliveryRow exposes the delivery arithmetic of the plan suite to the tests.
func DeliveryRow(messages int, cfg config.Config) Row {
	return deliveryRow("mariadb", scanCounty(1_000_000), messages, cfg)
}

// SizeLabels exposes the county sizes for --scale.
func SizeLabels(scale int) []string {
	var out []string
	for _, n := range scaleSizes(scale) {
		out = append(out, sizeLabel(n))
	}
	return out
}
