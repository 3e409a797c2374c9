"""Organisations, teams, users and their permissions, as user_sync_permissions gives them."""

from django.apps import apps

from .base import at, insert, table


def organisations(cursor, scale, params):
    org = "ehc.Organisation"
    now = at("%(today)s", "08:00")
    common = {"created_at": now, "updated_at": now, "is_active": "true"}
    insert(
        cursor,
        org,
        {
            **common,
            "id": "%(icb_id)s",
            "name": "'Bench Shared Service Integrated Care Board'",
            "short_name": "'Bench ICB'",
            "kind": "'icb'",
        },
        "",
        params,
    )
    insert(
        cursor,
        org,
        {
            **common,
            "id": "%(la_base)s + 1 + i",
            "name": "'Bench Council ' || lpad((i + 1)::text, 3, '0')",
            "short_name": "'BC' || (i + 1)",
            "kind": "'la'",
            "icb_id": "%(icb_id)s",
            "address": "'SEND Team' || chr(10) || 'Council Offices' || chr(10) || 'Bench Town ' || (i + 1)",
            "telephone": "'01632 960 ' || lpad(mod(i, 1000)::text, 3, '0')",
            "website": "'www.council' || (i + 1) || '.example'",
        },
        "FROM generate_series(0, %(n_las)s - 1) i",
        params,
    )
    insert(
        cursor,
        org,
        {
            **common,
            "id": "%(provider_base)s + 1 + p",
            "name": "'Bench Children''s Health ' || lpad((p + 1)::text, 3, '0')",
            "short_name": "'BCH' || (p + 1)",
            "kind": "'provider'",
            "address": "'Health Centre' || chr(10) || 'Bench Road' || chr(10) || 'Bench Town ' || (p + 1)",
            "spoc_email": "'spoc@provider' || (p + 1) || '.example'",
            "director_name": "'Robin Carrow'",
            "director_title": "'Alliance Director'",
            "director_email": "'director@provider' || (p + 1) || '.example'",
        },
        "FROM generate_series(0, %(n_providers)s - 1) p",
        params,
    )
    # Provider (i * 1 + j * stride) mod P serves LA i, for its j-th share of the LA's requests.
    cursor.execute(
        f"""INSERT INTO {apps.get_model(org)._meta.get_field("served_las").remote_field.through._meta.db_table}
            (from_organisation_id, to_organisation_id)
            SELECT DISTINCT %(provider_base)s + 1 + mod(i + j * %(stride)s, %(n_providers)s), %(la_base)s + 1 + i
            FROM generate_series(0, %(n_las)s - 1) i, generate_series(0, %(ppl)s - 1) j""",
        params,
    )
    insert(
        cursor,
        "ehc.LocalAuthoritySettings",
        {
            "created_at": now,
            "updated_at": now,
            "local_authority_id": "%(la_base)s + 1 + i",
            "next_digest_at": "%(next_digest)s",
            "ad_education_name": "'Morgan Ellery'",
            "ad_education_email": "'ad.education@council' || (i + 1) || '.example'",
            "business_support_email": "'send.support@council' || (i + 1) || '.example'",
            "dco_office_email": "'dco.office@icb.example'",
            "letter_footer": "'Bench Council ' || (i + 1) || ', Council Offices, Bench Town'",
        },
        "FROM generate_series(0, %(n_las)s - 1) i",
        params,
    )
    # The SPOC digests' next instant (escalation.sweep.digest), the same Monday as every LA's.
    insert(cursor, "escalation.DigestSchedule", {"name": "'spoc'", "next_at": "%(next_digest)s"}, "", params)
    insert(
        cursor,
        "ehc.Team",
        {
            "created_at": now,
            "updated_at": now,
            "is_active": "true",
            "id": "1 + p * %(tpp)s + t",
            "provider_id": "%(provider_base)s + 1 + p",
            "name": "(%(service_names)s::text[])[1 + t]",
            "service": "(%(services)s::text[])[1 + t]",
            "email": "(%(services)s::text[])[1 + t] || '.team@provider' || (p + 1) || '.example'",
            "head_of_service_name": "'Sam Holloway'",
            "head_of_service_title": "'Head of Integrated Nursing and Therapies'",
            "head_of_service_email": "'head.of.service@provider' || (p + 1) || '.example'",
        },
        "FROM generate_series(0, %(n_providers)s - 1) p, generate_series(0, %(tpp)s - 1) t",
        params,
    )
    _users(cursor, params)
    _permissions(cursor, params)


def _users(cursor, params):
    user_cols = {
        "password": "'!bench-unusable'",
        "is_superuser": "false",
        "is_staff": "false",
        "is_active": "true",
        "date_joined": at("%(oldest)s"),
        "job_title": "job_title",
        "id": "id",
        "username": "username",
        "first_name": "first_name",
        "last_name": "last_name",
        "email": "username || '@people.example'",
        "organisation_id": "organisation_id",
        "roles": "roles",
    }
    users = """FROM (
        SELECT %(u_la_base)s + 1 + i * %(la_user_block)s + r AS id,
               'la' || (i + 1) || CASE WHEN r < %(officers)s THEN '-officer' || (r + 1)
                                       WHEN r = %(officers)s THEN '-support' ELSE '-ad' END AS username,
               %(la_base)s + 1 + i AS organisation_id,
               CASE WHEN r < %(officers)s THEN ARRAY['case_officer'] WHEN r = %(officers)s
                    THEN ARRAY['business_support'] ELSE ARRAY['ad_education'] END::varchar[] AS roles,
               CASE WHEN r < %(officers)s THEN 'SEND case officer' WHEN r = %(officers)s
                    THEN 'SEND business support' ELSE 'Assistant Director of Education' END AS job_title,
               (%(first_names)s::text[])[1 + mod(i * 7 + r, %(n_first)s)] AS first_name,
               (%(last_names)s::text[])[1 + mod(i * 5 + r, %(n_last)s)] AS last_name
        FROM generate_series(0, %(n_las)s - 1) i, generate_series(0, %(la_user_block)s - 1) r
        UNION ALL
        SELECT %(u_provider_base)s + 1 + 2 * p + r,
               'provider' || (p + 1) || CASE WHEN r = 0 THEN '-spoc' ELSE '-head' END,
               %(provider_base)s + 1 + p,
               CASE WHEN r = 0 THEN ARRAY['spoc'] ELSE ARRAY['head_of_service'] END::varchar[],
               CASE WHEN r = 0 THEN 'Health single point of contact' ELSE 'Head of service' END,
               (%(first_names)s::text[])[1 + mod(p * 3 + r, %(n_first)s)],
               (%(last_names)s::text[])[1 + mod(p + r, %(n_last)s)]
        FROM generate_series(0, %(n_providers)s - 1) p, generate_series(0, 1) r
        UNION ALL
        SELECT %(u_team_base)s + t, 'team' || t || '-practitioner', %(provider_base)s + 1 + (t - 1) / %(tpp)s,
               ARRAY['practitioner']::varchar[], 'Health practitioner',
               (%(first_names)s::text[])[1 + mod(t, %(n_first)s)], (%(last_names)s::text[])[1 + mod(t * 3, %(n_last)s)]
        FROM generate_series(1, %(n_providers)s * %(tpp)s) t
        UNION ALL
        SELECT %(u_dco)s, 'icb-dco', %(icb_id)s, ARRAY['dco']::varchar[], 'Designated Clinical Officer',
               'Dana', 'Whitcombe'
    ) u"""
    insert(cursor, "ehc.User", user_cols, users, params)
    through = apps.get_model("ehc.User")._meta.get_field("teams").remote_field.through._meta.db_table
    cursor.execute(
        f"""INSERT INTO {through} (user_id, team_id)
            SELECT %(u_team_base)s + t, t FROM generate_series(1, %(n_providers)s * %(tpp)s) t
            UNION ALL
            SELECT %(u_provider_base)s + 2 + 2 * ((t - 1) / %(tpp)s), t
            FROM generate_series(1, %(n_providers)s * %(tpp)s) t""",
        params,
    )


def _permissions(cursor, params):
    """What ehc.access.user_sync_permissions gives every user, written set-based: one members group per
    organisation (and a SPOC / DCO group), the organisation permissions on the groups, team permissions."""
    group_table = "auth_group"
    user_groups = apps.get_model("ehc.User")._meta.get_field("groups").remote_field.through._meta.db_table
    org_perm = table("ehc.OrganisationGroupObjectPermission")
    team_perm = table("ehc.TeamUserObjectPermission")
    cursor.execute(
        f"""INSERT INTO {group_table} (name)
            SELECT 'org-' || id || '-members' FROM ehc_organisation
            UNION ALL SELECT 'org-' || id || '-spoc' FROM ehc_organisation WHERE kind = 'provider'
            UNION ALL SELECT 'org-' || id || '-dco' FROM ehc_organisation WHERE kind = 'icb'"""
    )
    cursor.execute(
        f"""INSERT INTO {org_perm} (group_id, permission_id, content_object_id)
            SELECT g.id, p.id, o.id
            FROM ehc_organisation o
            JOIN {group_table} g ON g.name IN ('org-' || o.id || '-members', 'org-' || o.id || '-spoc',
                                               'org-' || o.id || '-dco')
            JOIN auth_permission p ON p.codename = CASE split_part(g.name, '-', 3)
                    WHEN 'members' THEN 'act_for_organisation' WHEN 'spoc' THEN 'act_as_spoc'
                    ELSE 'respond_as_dco' END
            JOIN django_content_type ct ON ct.id = p.content_type_id
                 AND ct.app_label = 'ehc' AND ct.model = 'organisation'"""
    )
    cursor.execute(
        f"""INSERT INTO {user_groups} (user_id, group_id)
            SELECT u.id, g.id FROM ehc_user u JOIN {group_table} g ON g.name = 'org-' || u.organisation_id || '-members'
            UNION ALL
            SELECT u.id, g.id FROM ehc_user u JOIN {group_table} g ON g.name = 'org-' || u.organisation_id || '-spoc'
            WHERE 'spoc' = ANY(u.roles)
            UNION ALL
            SELECT u.id, g.id FROM ehc_user u JOIN {group_table} g ON g.name = 'org-' || u.organisation_id || '-dco'
            WHERE 'dco' = ANY(u.roles)"""
    )
    through = apps.get_model("ehc.User")._meta.get_field("teams").remote_field.through._meta.db_table
    cursor.execute(
        f"""INSERT INTO {team_perm} (user_id, permission_id, content_object_id)
            SELECT ut.user_id, p.id, ut.team_id
            FROM {through} ut JOIN ehc_user u ON u.id = ut.user_id
            JOIN auth_permission p ON p.codename = CASE WHEN 'head_of_service' = ANY(u.roles)
                 THEN 'answer_escalation' ELSE 'return_advice' END
            JOIN django_content_type ct ON ct.id = p.content_type_id AND ct.app_label = 'ehc' AND ct.model = 'team'"""
    )
