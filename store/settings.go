package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// SettingSpotSecret names the per-deployment secret the monthly call-back sample is drawn from.
// qinqi migrate generates it once; nobody who lacks database access can work out the sample.
const SettingSpotSecret = "spot_check.secret"

// ensureSecret stores 32 random bytes (hex) under key unless a value is there already.
func ensureSecret(tx *gorm.DB, key string) error {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return fmt.Errorf("generate %s: %w", key, err)
	}
	row := Setting{Key: key, Value: hex.EncodeToString(b), CreatedAt: time.Now()}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row).Error; err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

// Setting returns a stored setting, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	var row Setting
	if err := s.q(ctx).Where("`key` = ?", key).Take(&row).Error; err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, notFound(err))
	}
	return row.Value, nil
}

// SetSetting stores a setting, replacing an old value (the simulator's own sampling secret).
func (s *Store) SetSetting(ctx context.Context, key, value string, at time.Time) error {
	row := Setting{Key: key, Value: value, CreatedAt: at.In(s.loc)}
	err := s.q(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoUpdates: clause.AssignmentColumns([]string{"value"})}).
		Create(&row).Error
	if err != nil {
		return fmt.Errorf("store: set setting %s: %w", key, err)
	}
	return nil
}

// SpotSecret is the sampling secret (ErrNotFound on a database that was never migrated to it).
func (s *Store) SpotSecret(ctx context.Context) ([]byte, error) {
	v, err := s.Setting(ctx, SettingSpotSecret)
	if err != nil {
		return nil, err
	}
	b, err := hex.DecodeString(v)
	if err != nil || len(b) < 16 {
		return nil, fmt.Errorf("store: setting %s is not a hex secret of at least 16 bytes", SettingSpotSecret)
	}
	return b, nil
}
