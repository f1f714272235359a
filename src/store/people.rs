//! People banso has met: a staff member's department is asked once and
//! remembered (and can be changed), so it lives in the store.

use super::{Store, StoreError};

/// What banso remembers of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: String,
    pub display_name: Option<String>,
    pub department: Option<String>,
    /// Epoch seconds of the last change.
    pub updated_at: i64,
}

impl Store {
    /// Inserts or replaces what banso knows of a person.
    pub async fn save_person(&self, person: &Person) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO people (user_id, display_name, department, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id) DO UPDATE SET display_name = excluded.display_name, \
             department = excluded.department, updated_at = excluded.updated_at",
        )
        .bind(&person.user_id)
        .bind(&person.display_name)
        .bind(&person.department)
        .bind(person.updated_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn person(&self, user_id: &str) -> Result<Option<Person>, StoreError> {
        let row: Option<(String, Option<String>, Option<String>, i64)> = sqlx::query_as(
            "SELECT user_id, display_name, department, updated_at FROM people WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(
            row.map(|(user_id, display_name, department, updated_at)| Person {
                user_id,
                display_name,
                department,
                updated_at,
            }),
        )
    }
}
