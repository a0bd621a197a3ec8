site-name = Qiaoyi · Overseas Services of Qingtian
skip-to-content = Skip to main content
lang-label = Language
elder-on = Larger text
elder-off = Standard text
nav-label = Main menu
nav-home = Home
nav-services = Services
nav-guides = Guides
nav-stations = Stations abroad
crumbs-label = You are here
footer-text = Qiaoyi serves people from Qingtian who live abroad: apply, ask and track without travelling home.
list-separator = {", "}

home-title = Home-county services, wherever you live
home-lead = Renew a passport, get a certificate or ask a question from your overseas service station or your phone, instead of flying home.
home-categories = What you can do
home-category-count = { $count ->
    [one] 1 service
   *[other] { $count } services
}
home-reach = Our reach
home-figure-items = services you can apply for from abroad
home-figure-guides = guides to everyday matters
home-figure-stations = overseas service stations
home-figure-countries = countries with a station
home-how = How it works
home-step-find = Find your service and check the materials you need.
home-step-station = Apply online or at your overseas service station; a video call confirms who you are when needed.
home-step-track = Follow your application and collect the result at the station, by courier or at home.
home-start = Browse services
home-find-station = Find a station

catalog-title = Services
catalog-lead = Every service the bureau handles for people abroad, by category.
item-video-short = video identity check
time-limit-days = { $days ->
    [one] 1 working day
   *[other] { $days } working days
}
fee-free = Free
fee-amount = { $amount } yuan (CNY)

item-code = Service code { $code }
item-fee = Fee
item-time-limit = Time limit
item-video = Video identity check
item-guardian = Guardian acts for applicants under 18
item-delivery = How you receive it
item-eligibility = Who can apply
item-materials = What you need
item-how = How to apply
item-how-prepare = Prepare the materials listed above; scans or clear photos are accepted.
item-how-submit = Apply online, or ask your overseas service station to submit for you.
item-how-video = Book a video call so an officer can confirm your identity.
item-how-receive = The bureau reviews your application within the time limit and tells you when the result is ready.
item-guides = Related guides
answer-yes = Yes
answer-no = No
delivery-window = Collect at the bureau's window in Qingtian
delivery-station = Collect at your overseas service station
delivery-courier = International courier
delivery-home = Delivered to your home (for elderly or disabled people)
material-required = required
material-sometimes = only if it applies to you

guides-title = Guides to everyday matters
guides-lead = { $count } guides on social security, education, property, notarisation and more.
guides-empty = There are no guides yet.
pager-label = Pages
pager-previous = Previous page
pager-next = Next page
pager-position = Page { $page }
guide-in-chinese = This guide is written in Chinese.
guide-who = Who can apply
guide-where = Where and how
guide-related = Related services

topic-exit-entry = Exit and entry
topic-household = Household registration
topic-traffic = Traffic and vehicles
topic-certificates = Certificates
topic-social-security = Social security
topic-medical-insurance = Medical insurance
topic-education = Education
topic-property = Property
topic-notary = Notarisation
topic-marriage = Marriage
topic-tax = Tax
topic-elderly = Elderly and disabled people
topic-legal-aid = Legal help
topic-other = Other

stations-title = Overseas service stations
stations-lead = { $count } stations abroad relay your applications and help you in person.
stations-beijing-now = Time in Beijing now: { $time }
stations-local-now = Local time now: { $time }
stations-hours = Opening hours (local time)
stations-languages = Languages spoken
stations-address = Address
stations-open = Open now
stations-closed = Closed now

day-mon = Mon
day-tue = Tue
day-wed = Wed
day-thu = Thu
day-fri = Fri
day-sat = Sat
day-sun = Sun

error-not-found-title = Page not found
error-not-found = We could not find that page. Check the address, or start again from the home page.
error-invalid-title = Something in the request is wrong
error-invalid = The address contains a value we cannot use. Go back and try again.
error-unavailable-title = Service unavailable
error-unavailable = The service is busy or being maintained. Please try again in a few minutes.
error-no-catalogue = The list of services has not been loaded yet. Please try again later.
error-internal-title = Something went wrong
error-internal = Something went wrong on our side. It has been recorded; please try again later.
error-home = Go to the home page

country-IT = Italy
country-ES = Spain
country-PT = Portugal
country-FR = France
country-NL = Netherlands
country-AT = Austria
country-DE = Germany
country-BE = Belgium
country-HU = Hungary
country-GR = Greece
country-CZ = Czech Republic
country-CH = Switzerland
country-GB = United Kingdom
country-RO = Romania
country-RS = Serbia
country-BR = Brazil
country-AR = Argentina
country-US = United States
country-AE = United Arab Emirates
country-ZA = South Africa
country-CN = China

language-zh = Chinese
language-ar = Arabic
language-en = English
language-cs = Czech
language-de = German
language-el = Greek
language-es = Spanish
language-ca = Catalan
language-nl = Dutch
language-fr = French
language-hu = Hungarian
language-it = Italian
language-pt = Portuguese
language-ro = Romanian
language-sr = Serbian

nav-login = Sign in
nav-account = My account
form-error-summary = There is a problem
login-title = Sign in
login-email = E-mail address
login-password = Password
login-submit = Sign in
login-email-missing = Enter your e-mail address
login-password-missing = Enter your password
login-refused = The e-mail address or the password is not right. Check both and try again.
login-locked = { $minutes ->
    [one] Too many wrong attempts. Your account is locked for 1 more minute; we have sent you an e-mail.
   *[other] Too many wrong attempts. Your account is locked for { $minutes } more minutes; we have sent you an e-mail.
}
totp-title = Enter your code
totp-lead = Open the authenticator app on your phone and enter the 6-digit code it shows for Qiaoyi.
totp-enrol-title = Set up your authenticator app
totp-enrol-lead = Staff accounts need a second step when signing in. Scan this code with an authenticator app on your phone, then enter the 6-digit code it shows.
totp-enrol-manual = If you cannot scan, enter this key in the app:
totp-code = 6-digit code
totp-submit = Continue
totp-wrong = The code is not right or was already used. Enter the newest code from your app.
account-title = My account
account-name = Name
account-roles = Roles
account-sessions = Where you are signed in
account-session-started = Signed in
account-session-seen = last active
account-session-current = this device
account-end-others = Sign out everywhere else
account-sessions-ended = { $count ->
    [one] 1 other session was signed out.
   *[other] { $count } other sessions were signed out.
}
logout = Sign out
role-applicant = Applicant
role-station = Station staff
role-officer = Officer
role-duty_leader = Duty leader
role-consultant = Consultant
role-care_worker = Care worker
role-admin = Administrator
role-auditor = Auditor
error-forbidden-title = Not allowed
error-forbidden = Your account is not allowed to see this page. If you think it should be, ask your administrator.
error-csrf-title = Please send the form again
error-csrf = The form's security check failed, usually because the page was open for a long time. Go back, reload the page and send it again.
account-work = Your work
admin-users-title = Accounts
admin-users-create = Create a staff account
admin-users-role = Role
admin-users-scope = Scope
admin-users-scope-hint = For station staff the station code (e.g. IT-ROM); for officers the category (e.g. exit-entry); empty for other roles.
admin-users-submit = Create account
admin-users-created = The account { $email } was created.
admin-users-password-once = Its password, shown only now; give it to the person safely:
admin-users-totp-once = Its authenticator key, shown only now:
admin-users-email-taken = An account with this e-mail address exists already. Use another address.
admin-users-list = { $count ->
    [one] 1 account
   *[other] { $count } accounts
}
admin-users-second-factor = Authenticator set up
admin-users-created-at = Created
audit-title = Audit log
audit-actor = Account
audit-action = Action
audit-subject-type = Record type
audit-subject-id = Record
audit-from = From (date)
audit-to = To (date)
audit-apply = Show entries
audit-bad-date = Enter a date like 2026-03-15.
audit-count = { $count ->
    [one] 1 entry
   *[other] { $count } entries
}
audit-empty = No entries match these filters.
audit-col-time = Time (Beijing)
audit-col-station = Station
audit-col-subject = Record
audit-col-purpose = Purpose
audit-col-outcome = Outcome
audit-col-client = Address
login-unconfirmed = Confirm your e-mail address first, with the code we sent you. You can ask for a new code on the confirmation page.
login-create-account = No account yet? Create one
signup-title = Create an account
signup-lead = With an account you can apply for services, follow your applications and see who has read your file.
signup-password-hint = At least 12 characters. A few words with spaces are easy to remember and hard to guess.
signup-submit = Create account
signup-have-account = Already have an account? Sign in
signup-email-invalid = Enter your whole e-mail address, like name@example.com
signup-name-invalid = Enter your name, up to 100 characters
password-too-short = Use at least 12 characters for your password
password-too-long = Use at most 128 characters for your password
password-too-common = This password is one of the most common. Choose one that is yours alone
confirm-title = Confirm your e-mail address
confirm-lead = We have sent a 6-digit code to your e-mail address. Enter it here within 30 minutes.
confirm-code = 6-digit code
confirm-submit = Confirm
confirm-resend = Send me a new code
confirm-resent = If the address has an account waiting for confirmation, a new code is on its way.
confirm-wrong = The code is not right or has expired. Check the newest e-mail from us, or ask for a new code.
identity-title = My identity documents
identity-lead = Your resident ID and passport numbers are stored encrypted. Only you and staff handling your matters, for a stated reason, can read them; every reading is shown on your "Who read my file" page.
identity-resident-id = Resident ID number
identity-resident-id-hint = 18 characters as on your identity card; the last may be X.
identity-passport = Passport number
identity-passport-hint = As printed on your passport, e.g. E12345678.
identity-none = Not given
identity-submit = Save
identity-saved = Saved.
identity-resident-id-invalid = This is not a valid resident ID number. Check the 18 characters against your card: the birth date and the last character must match.
identity-passport-invalid = This is not a passport number. It starts with E or G and has 9 characters, e.g. E12345678.
access-log-title = Who read my file
access-log-lead = Every time someone else looked at your records: when, in which role and station, what, and why.
access-log-empty = Nobody else has read your file.
access-log-what = What
access-read_person_file = Read your file
access-find_person = Searched and found you
access-identity_updated = Changed your identity documents
people-title = Find a person
people-lead = Find the person you are helping by e-mail address, resident ID or passport number. Your search and its reason are recorded, and the person can see them.
people-query = E-mail, resident ID or passport number
people-purpose = Reason
people-purpose-hint = Why you need this person's file, e.g. "passport renewal enquiry by phone".
people-submit = Find
people-open = Open this person's file
people-none = Nobody matches.
people-purpose-invalid = Give the reason, in 4 to 200 characters
people-query-invalid = Enter an e-mail address, a resident ID number or a passport number
person-title = Person's file
person-recorded = This reading is recorded with your reason:
