-- Analyst views keyed by department × fiscal year × classification. Only current documents
-- (status 'loaded'); superseded files stay queryable in documents/facts as history. A document that prints
-- more than one set of tables (汇总 then 本级, per unit) is read from its first set (table_scope = '');
-- the other sets are in current_facts and facts.
CREATE OR REPLACE VIEW current_facts AS
SELECT f.*, d.department_name, d.region
FROM facts f JOIN documents d USING (document_id)
WHERE d.status = 'loaded';

CREATE OR REPLACE VIEW expenditure_by_function AS
SELECT department_id, department_name, region, fiscal_year, row_code AS function_code,
       CASE length(row_code) WHEN 3 THEN '类' WHEN 5 THEN '款' ELSE '项' END AS level,
       row_label AS function_name,
       max(amount_yuan) FILTER (WHERE measure = 'total_expenditure') AS total_expenditure,
       max(amount_yuan) FILTER (WHERE measure = 'basic_expenditure') AS basic_expenditure,
       max(amount_yuan) FILTER (WHERE measure = 'project_expenditure') AS project_expenditure,
       document_id
FROM current_facts
WHERE table_scope = '' AND table_code = 'expenditure' AND row_code IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE VIEW income_by_function AS
SELECT department_id, department_name, region, fiscal_year, row_code AS function_code,
       CASE length(row_code) WHEN 3 THEN '类' WHEN 5 THEN '款' ELSE '项' END AS level,
       row_label AS function_name,
       max(amount_yuan) FILTER (WHERE measure = 'total_income') AS total_income,
       max(amount_yuan) FILTER (WHERE measure = 'fiscal_appropriation_income') AS fiscal_appropriation_income,
       max(amount_yuan) FILTER (WHERE measure = 'superior_subsidy_income') AS superior_subsidy_income,
       max(amount_yuan) FILTER (WHERE measure = 'business_income') AS business_income,
       max(amount_yuan) FILTER (WHERE measure = 'operating_income') AS operating_income,
       max(amount_yuan) FILTER (WHERE measure = 'affiliate_remittance_income') AS affiliate_remittance_income,
       max(amount_yuan) FILTER (WHERE measure = 'other_income') AS other_income,
       document_id
FROM current_facts
WHERE table_scope = '' AND table_code = 'income' AND row_code IS NOT NULL
GROUP BY ALL;

CREATE OR REPLACE VIEW basic_expenditure_by_economic AS
SELECT department_id, department_name, region, fiscal_year, row_code AS economic_code,
       CASE length(row_code) WHEN 3 THEN '类' ELSE '款' END AS level,
       row_label AS economic_name,
       CASE measure WHEN 'personnel_expenditure' THEN '人员经费' ELSE '公用经费' END AS pane,
       amount_yuan, document_id
FROM current_facts
WHERE table_scope = '' AND table_code = 'gpb_basic_expenditure' AND row_code IS NOT NULL;

CREATE OR REPLACE VIEW three_public AS
SELECT department_id, department_name, region, fiscal_year,
       max(amount_yuan) FILTER (WHERE measure = 'three_public_budget') AS total_budget,
       max(amount_yuan) FILTER (WHERE measure = 'three_public_actual') AS total_actual,
       max(amount_yuan) FILTER (WHERE measure = 'outbound_budget') AS outbound_budget,
       max(amount_yuan) FILTER (WHERE measure = 'outbound_actual') AS outbound_actual,
       max(amount_yuan) FILTER (WHERE measure = 'vehicle_purchase_budget') AS vehicle_purchase_budget,
       max(amount_yuan) FILTER (WHERE measure = 'vehicle_purchase_actual') AS vehicle_purchase_actual,
       max(amount_yuan) FILTER (WHERE measure = 'vehicle_operation_budget') AS vehicle_operation_budget,
       max(amount_yuan) FILTER (WHERE measure = 'vehicle_operation_actual') AS vehicle_operation_actual,
       max(amount_yuan) FILTER (WHERE measure = 'reception_budget') AS reception_budget,
       max(amount_yuan) FILTER (WHERE measure = 'reception_actual') AS reception_actual,
       document_id
FROM current_facts
WHERE table_scope = '' AND table_code = 'three_public'
GROUP BY ALL;

CREATE OR REPLACE VIEW summary AS
SELECT department_id, department_name, region, fiscal_year,
       max(amount_yuan) FILTER (WHERE table_code = 'income_expenditure_summary' AND row_label = '本年收入合计') AS total_income,
       max(amount_yuan) FILTER (WHERE table_code = 'income_expenditure_summary' AND row_label = '本年支出合计') AS total_expenditure,
       max(amount_yuan) FILTER (WHERE table_code = 'income_expenditure_summary' AND row_label = '总计' AND measure = 'income_amount') AS grand_total,
       max(amount_yuan) FILTER (WHERE table_code = 'expenditure' AND row_label = '合计' AND measure = 'basic_expenditure') AS basic_expenditure,
       max(amount_yuan) FILTER (WHERE table_code = 'expenditure' AND row_label = '合计' AND measure = 'project_expenditure') AS project_expenditure,
       max(amount_yuan) FILTER (WHERE table_code = 'fiscal_summary' AND row_label = '总计' AND measure = 'income_amount') AS fiscal_grand_total,
       max(amount_yuan) FILTER (WHERE table_code = 'gpb_expenditure' AND row_label = '合计' AND measure = 'total_expenditure') AS general_budget_expenditure,
       document_id
FROM current_facts
WHERE table_scope = ''
GROUP BY ALL;
