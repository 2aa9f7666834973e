-- A user's session with the Mergewise language server in Neovim's own LSP client (Neovim 0.7.2 and
-- later), driven headless by test/e2e/neovim.e2e.ts:
--
--   nvim --headless --clean -u NONE -i NONE -n -c 'luafile test/e2e/neovim/session.lua'
--
-- It reads its inputs from the environment:
--   MERGEWISE_SERVER_CMD  the server's command line, as a JSON list
--   MERGEWISE_WORKSPACE   a copy of examples/ that the session may change
--   MERGEWISE_RESULT      where to write the result, as JSON
--
-- Each step waits for what a user would see (diagnostics read with vim.diagnostic.get, the hover
-- window's text, the buffer's lines), never for a fixed time, and fails after MERGEWISE_STEP_TIMEOUT
-- milliseconds (30000). The result file is rewritten after every step, so that a session killed
-- from outside still tells how far it got. Neovim exits with `cquit N`: 0 when every step passed,
-- else the number of the first step that failed.

-- Without its inputs the session cannot even report: say so on stderr and exit.
for _, name in ipairs({ 'MERGEWISE_SERVER_CMD', 'MERGEWISE_WORKSPACE', 'MERGEWISE_RESULT' }) do
  if not vim.env[name] then
    io.stderr:write(name .. ' is not set\n')
    vim.cmd('cquit 98')
  end
end
local SERVER_CMD = vim.fn.json_decode(vim.env.MERGEWISE_SERVER_CMD)
local WORKSPACE = vim.env.MERGEWISE_WORKSPACE
local RESULT = vim.env.MERGEWISE_RESULT
local STEP_TIMEOUT = tonumber(vim.env.MERGEWISE_STEP_TIMEOUT or '30000')

local LOYALTY = WORKSPACE .. '/emails/drafts/loyalty-update.liquid'
local TEAM = WORKSPACE .. '/emails/drafts/team-scheduling-launch.liquid'
local SCHEMA = WORKSPACE .. '/mergewise.json'
-- The line of loyalty-update.liquid that reads `Hi {{ customer.first_name }},` (1-based, as Neovim counts).
local HI_LINE = 17

local result = {
  nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch,
  log_path = vim.lsp.get_log_path(),
  steps = {},
}

local function save()
  local file = assert(io.open(RESULT, 'w'))
  file:write(vim.fn.json_encode(result))
  file:close()
end

-- The session runs in one coroutine; waiting yields to Neovim's event loop, which reads the
-- server's messages and the typed keys meanwhile.
local session

local function resume()
  local ok, err = coroutine.resume(session)
  if not ok then
    -- Only a bug in this script gets here: steps catch their own errors.
    result.script_error = tostring(err)
    save()
    vim.cmd('cquit 99')
  end
end

local function sleep(ms)
  vim.defer_fn(resume, ms)
  coroutine.yield()
end

local function now()
  return vim.loop.hrtime() / 1e6
end

--- Waits until `predicate` returns a truthy value and returns it; fails naming `what` after the timeout.
local function wait_for(what, predicate, timeout)
  timeout = timeout or STEP_TIMEOUT
  local started = now()
  while true do
    local ok, value = pcall(predicate)
    if ok and value then return value end
    if now() - started > timeout then
      error(string.format('timed out after %d ms waiting for %s', timeout, what), 0)
    end
    sleep(20)
  end
end

--- Types keys as a user would, through the typeahead buffer (mappings off).
local function feed(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'nt', false)
end

local function diagnostics(bufnr)
  return vim.diagnostic.get(bufnr)
end

local function describe(list)
  local parts = {}
  for _, d in ipairs(list) do
    table.insert(parts, string.format('%d:%d %s', d.lnum + 1, d.col + 1, tostring(d.code)))
  end
  return '[' .. table.concat(parts, ', ') .. ']'
end

local function find(list, code, lnum)
  for _, d in ipairs(list) do
    if d.code == code and (lnum == nil or d.lnum == lnum) then return d end
  end
end

local function line(bufnr, lnum)
  return vim.api.nvim_buf_get_lines(bufnr, lnum - 1, lnum, true)[1]
end

--- Puts the cursor on the first character of `text` in line `lnum` (1-based).
local function cursor_on(lnum, text)
  local col = assert(line(0, lnum):find(text, 1, true), string.format('line %d has no "%s": %s', lnum, text, line(0, lnum)))
  vim.api.nvim_win_set_cursor(0, { lnum, col - 1 })
end

local function read_file(file)
  local handle = assert(io.open(file, 'r'))
  local text = handle:read('*a')
  handle:close()
  return text
end

local function write_file(file, text)
  local handle = assert(io.open(file, 'w'))
  handle:write(text)
  handle:close()
end

local failed_step = nil

--- Runs one step; a failure is recorded with its message, and the later steps still run
--- (each waits for its own starting point), unless `essential` says they cannot.
local function step(id, name, body, essential)
  local entry = { id = id, name = name, ok = false }
  table.insert(result.steps, entry)
  save()
  local started = now()
  local ok, err = pcall(body, entry)
  entry.ms = math.floor(now() - started)
  entry.ok = ok
  if not ok then
    entry.error = tostring(err)
    failed_step = failed_step or #result.steps
    -- Leave insert mode and any completion menu, so that the next step starts from Normal mode.
    feed('<C-e><Esc>')
  end
  save()
  return ok or not essential
end

local client_id, client
local exited = nil
local buffers = {}

local function open(file)
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  buffers[file] = bufnr
  return bufnr
end

local function main()
  vim.lsp.set_log_level('WARN')
  vim.o.hidden = true
  vim.o.completeopt = 'menuone'
  vim.cmd('filetype on')

  local continue = step('start', 'start the server and open a draft', function(entry)
    client_id = vim.lsp.start_client({
      name = 'mergewise',
      cmd = SERVER_CMD,
      root_dir = WORKSPACE,
      capabilities = vim.lsp.protocol.make_client_capabilities(),
      on_exit = function(code, signal) exited = { code = code, signal = signal } end,
    })
    assert(client_id, 'vim.lsp.start_client returned nothing')
    client = vim.lsp.get_client_by_id(client_id)
    result.server_pid = client.rpc.pid
    save()
    wait_for('the server to answer initialize', function() return client.initialized end)
    open(LOYALTY)
  end, true)

  if continue then
    step('diagnostics', 'diagnostics: a missing fallback in the draft', function(entry)
      local bufnr = buffers[LOYALTY]
      local found = wait_for('a missing-fallback diagnostic on line ' .. HI_LINE, function()
        return find(diagnostics(bufnr), 'missing-fallback', HI_LINE - 1)
      end)
      entry.diagnostics = describe(diagnostics(bufnr))
      entry.message = found.message
      assert(found.severity == vim.diagnostic.severity.ERROR, 'mergewise.json makes missing-fallback an error, got severity ' .. tostring(found.severity))
      assert(found.message:find('customer.first_name', 1, true), 'the message does not name the field: ' .. found.message)
    end)

    step('hover', 'hover: the field\'s documentation', function(entry)
      cursor_on(HI_LINE, 'first_name')
      vim.lsp.buf.hover()
      local win = wait_for('the hover window', function()
        for _, w in ipairs(vim.api.nvim_list_wins()) do
          if vim.api.nvim_win_get_config(w).relative ~= '' then return w end
        end
      end)
      local text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false), '\n')
      entry.hover = text
      vim.api.nvim_win_close(win, true)
      assert(text:find('First name as typed at sign-up', 1, true), 'the hover lacks the field\'s description')
    end)

    step('completion', 'completion: a field through omni completion, prefix not repeated', function(entry)
      local bufnr = buffers[LOYALTY]
      vim.bo[bufnr].omnifunc = 'v:lua.vim.lsp.omnifunc'
      local completed = nil
      local group = vim.api.nvim_create_augroup('mergewise_completion', { clear = true })
      vim.api.nvim_create_autocmd('CompleteDone', {
        group = group,
        callback = function() completed = vim.deepcopy(vim.v.completed_item) end,
      })
      vim.api.nvim_win_set_cursor(0, { HI_LINE, 0 })
      feed('o{{ customer.')
      feed('<C-x><C-o>')
      local items = wait_for('the completion menu', function()
        local info = vim.fn.complete_info({ 'pum_visible', 'items' })
        return info.pum_visible == 1 and #info.items > 0 and info.items
      end)
      entry.items = {}
      local pick = 1
      for i, item in ipairs(items) do
        table.insert(entry.items, item.abbr)
        if item.abbr == 'customer.first_name' or item.abbr == 'first_name' then pick = i end
      end
      -- The first item is selected; move down to the one to pick, and accept it.
      feed(string.rep('<C-n>', pick - 1) .. '<C-y><Esc>')
      wait_for('Normal mode after accepting', function() return completed ~= nil and vim.fn.mode() == 'n' end)
      vim.api.nvim_del_augroup_by_id(group)
      local inserted = line(bufnr, HI_LINE + 1)
      entry.picked = items[pick].abbr
      entry.line = inserted
      -- Put the draft back as it was (the server hears this as an edit too).
      vim.api.nvim_buf_set_lines(bufnr, HI_LINE, HI_LINE + 1, true, {})
      local typed = inserted:match('^%s*(.*)$')
      assert(not typed:find('customer.customer', 1, true), 'the typed prefix was repeated: ' .. typed)
      assert(not typed:find('$0', 1, true) and not typed:find('${', 1, true), 'snippet syntax was inserted: ' .. typed)
      local field = items[pick].abbr:gsub('^customer%.', '')
      assert(vim.startswith(typed, '{{ customer.' .. field), 'expected the line to read "{{ customer.' .. field .. '…", got: ' .. typed)
    end)

    step('settings', 'settings pushed with workspace/didChangeConfiguration take effect', function(entry)
      local bufnr = open(TEAM)
      wait_for('deprecated-field and stale-data diagnostics in team-scheduling-launch.liquid', function()
        local list = diagnostics(bufnr)
        return find(list, 'deprecated-field') and find(list, 'stale-data')
      end)
      entry.before = describe(diagnostics(bufnr))
      -- As a user changes settings in Neovim 0.7, which has no workspace/configuration: set them on
      -- the client and push them. mergewise.json's "rules" makes missing-fallback an error, and wins.
      client.config.settings = { mergewise = { rules = { ['deprecated-field'] = 'off', ['missing-fallback'] = 'off' } } }
      client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
      wait_for('deprecated-field to be turned off (stale-data stays)', function()
        local list = diagnostics(bufnr)
        return not find(list, 'deprecated-field') and find(list, 'stale-data')
      end)
      entry.after = describe(diagnostics(bufnr))
    end)

    step('quickfix', 'quick fix: "Add fallback" through vim.lsp.buf.code_action()', function(entry)
      vim.cmd('buffer ' .. buffers[LOYALTY])
      local bufnr = buffers[LOYALTY]
      wait_for('the missing-fallback diagnostic on line ' .. HI_LINE .. ' (mergewise.json\'s rules win over the pushed setting)', function()
        local list = diagnostics(bufnr)
        return find(list, 'missing-fallback', HI_LINE - 1) and not find(list, 'syntax-error')
      end)
      cursor_on(HI_LINE, 'customer.first_name')
      local offered = nil
      local original_select = vim.ui.select
      vim.ui.select = function(items, _, on_choice)
        offered = {}
        local chosen = nil
        for i, item in ipairs(items) do
          local title = item[2].title
          table.insert(offered, title)
          if not chosen and title:match('^Add fallback') then chosen = i end
        end
        if chosen then on_choice(items[chosen], chosen) else on_choice(nil, nil) end
      end
      vim.lsp.buf.code_action()
      wait_for('code actions to be offered', function() return offered end)
      vim.ui.select = original_select
      entry.offered = offered
      local picked = false
      for _, title in ipairs(offered) do picked = picked or title:match('^Add fallback') ~= nil end
      assert(picked, 'no "Add fallback ..." among the code actions: ' .. vim.inspect(offered))
      wait_for("the fallback in the buffer (line " .. HI_LINE .. ")", function()
        return line(bufnr, HI_LINE):find("customer.first_name | default: 'there'", 1, true)
      end)
      entry.line = line(bufnr, HI_LINE)
      wait_for('the missing-fallback diagnostic to go', function()
        return not find(diagnostics(bufnr), 'missing-fallback', HI_LINE - 1)
      end)
    end)

    step('schema-on-disk', 'mergewise.json changed on disk: new diagnostics without reopening', function(entry)
      local bufnr = buffers[LOYALTY]
      vim.cmd('buffer ' .. bufnr)
      local schema, count = read_file(SCHEMA):gsub('"customer%.first_name": {', '"customer.forename": {', 1)
      assert(count == 1, 'mergewise.json declares no customer.first_name')
      -- As `git pull` or another tool would: the file is not open in Neovim.
      write_file(SCHEMA, schema)
      -- The user goes back to the template and types (a space, then takes it back).
      vim.api.nvim_win_set_cursor(0, { HI_LINE, 0 })
      feed('A <BS><Esc>')
      wait_for('Normal mode after typing', function() return vim.fn.mode() == 'n' end)
      local found = wait_for('an unknown-field diagnostic for customer.first_name on line ' .. HI_LINE, function()
        return find(diagnostics(bufnr), 'unknown-field', HI_LINE - 1)
      end)
      entry.message = found.message
      entry.diagnostics = describe(diagnostics(bufnr))
    end)
  end

  step('shutdown', 'shutdown: the client stops and the server exits', function(entry)
    assert(client, 'no client was started')
    vim.lsp.stop_client(client_id)
    wait_for('the client to stop', function() return client.is_stopped() end)
    wait_for('the server process to exit', function() return exited end)
    entry.exit = exited
    assert(exited.code == 0 and exited.signal == 0,
      string.format('the server exited with code %s, signal %s', tostring(exited.code), tostring(exited.signal)))
  end)

  result.messages = vim.api.nvim_exec('messages', true)
  save()
  vim.cmd('cquit ' .. (failed_step or 0))
end

session = coroutine.create(main)
resume()
