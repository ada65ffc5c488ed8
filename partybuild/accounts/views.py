"""Login and logout. Anyone may reach the login page; django-axes locks out after 5 failures
(keyed on username and IP) and renders accounts/locked_out.html."""

from __future__ import annotations

from django.contrib.auth import views as auth_views

from partybuild.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
