"""The Store's categories: the arena's list of prompt categories, in the order admins gave."""

from __future__ import annotations

import json

from arena.categories import Category
from arena.db.connection import Database


class Categories(Database):
    """The categories table (seeded with arena.categories.DEFAULT_CATEGORIES)."""

    def categories(self) -> list[Category]:
        with self.reading() as conn:
            rows = conn.execute(
                "SELECT slug, name, description, system_prompt, presets FROM categories"
                " ORDER BY position, name"
            ).fetchall()
        return [
            Category(
                slug=r["slug"],
                name=r["name"],
                description=r["description"],
                system_prompt=r["system_prompt"],
                presets=json.loads(r["presets"]),
            )
            for r in rows
        ]

    def save_category(self, category: Category) -> None:
        """Add a category, or change the one with its slug (keeping its place in the list)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO categories (slug, name, description, system_prompt, presets, position)"
                " VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM categories))"
                " ON CONFLICT (slug) DO UPDATE SET name = excluded.name,"
                " description = excluded.description, system_prompt = excluded.system_prompt,"
                " presets = excluded.presets",
                (category.slug, category.name, category.description, category.system_prompt,
                 json.dumps(category.presets, ensure_ascii=False)))

    def delete_category(self, slug: str) -> bool:
        """Delete a category no battle or prompt set belongs to; False (and nothing deleted)
        if one does."""
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM battles WHERE category = ? UNION ALL"
                            " SELECT 1 FROM prompt_sets WHERE category = ? LIMIT 1",
                            (slug, slug)).fetchone():
                return False
            return conn.execute("DELETE FROM categories WHERE slug = ?", (slug,)).rowcount == 1
