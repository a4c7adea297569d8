"""Re-seal the audit chain with HMAC-SHA256 under ``AUDIT_HMAC_KEY``.

Until now each row's link was an unkeyed SHA-256, which anyone with SQL access could recompute
after rewriting a row. The existing rows cannot be proven retroactively (the key did not exist
when they were written), so this migration does the one defensible thing:

1. it verifies the unkeyed chain as it stands (every link, no gap, the head at the last row);
2. only if that chain is intact does it recompute every link as an HMAC under the key, in
   ``seq`` order, and move the head;
3. if it is broken it stops, listing the breaks (row ids only), and changes nothing: sealing a
   trail that was already altered would launder the alteration. Investigate with the previous
   release's ``verify_audit``, restore the trail from a backup, then migrate.

So the guarantee for rows written before this migration is "as intact as the unkeyed chain was
at the moment of the upgrade"; from then on every row, old and new, is covered by the key.
Reversing re-chains with the unkeyed SHA-256, after checking the keyed chain the same way.
"""

from django.db import migrations

from cases.models.audit import GENESIS_HASH, canonical_payload, chain_hash, legacy_chain_hash


def _rechain(apps, schema_editor, *, check, seal, name):
    AuditEvent = apps.get_model("cases", "AuditEvent")
    AuditChain = apps.get_model("cases", "AuditChain")
    alias = schema_editor.connection.alias
    problems = []
    prev, expected = GENESIS_HASH, 1
    rows = AuditEvent.objects.using(alias).order_by("seq", "pk")
    for event in rows.iterator(chunk_size=2000):
        if event.seq != expected or event.prev_hash != prev or \
                check(event.prev_hash, canonical_payload(event)) != event.hash:
            problems.append(f"row {event.pk} (seq {event.seq})")
        prev, expected = event.hash, (event.seq or expected) + 1
    head = AuditChain.objects.using(alias).filter(pk=1).first()
    if head is not None and (head.length != expected - 1 or head.head_hash != prev):
        problems.append(f"the head (length {head.length}) is not at the last row")
    if problems:
        raise RuntimeError(
            f"the {name} audit chain is broken, so it is not re-sealed (that would hide the "
            f"change): {', '.join(problems[:20])}. See this migration's docstring.")
    prev, before, length = GENESIS_HASH, GENESIS_HASH, 0
    for event in rows.iterator(chunk_size=2000):
        length += 1
        digest = seal(prev, canonical_payload(event))
        AuditEvent.objects.using(alias).filter(pk=event.pk).update(prev_hash=prev, hash=digest)
        before, prev = prev, digest
    AuditChain.objects.using(alias).update_or_create(
        pk=1, defaults={"length": length, "head_hash": prev, "prev_hash": before})


def seal_with_key(apps, schema_editor):
    _rechain(apps, schema_editor, check=legacy_chain_hash, seal=chain_hash, name="unkeyed")


def back_to_sha256(apps, schema_editor):
    _rechain(apps, schema_editor, check=chain_hash, seal=legacy_chain_hash, name="keyed")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_care_team_access"),
    ]

    operations = [
        migrations.RunPython(seal_with_key, back_to_sha256),
    ]
